"""Deleting a matrix: the confirm page counts the rows that go with it and the later version that stays."""

from django.test import Client
from django.urls import reverse
from django.utils import translation

from matrix.models import MatrixRow, ValueMatrix
from partnerhub.models import Partner
from tests.factories import MatrixRowFactory, ValueMatrixFactory


def url(name, matrix):
    return reverse(f"matrix:{name}", args=[matrix.organisation.slug, matrix.pk])


def test_the_confirm_page_lists_the_rows_and_the_version_that_stays(manager_client, stranger, org):
    matrix = ValueMatrixFactory(organisation=org, name="Oud")
    MatrixRowFactory.create_batch(3, matrix=matrix)
    later = ValueMatrixFactory(organisation=org, name="Nieuw", previous_version=matrix)
    page = manager_client.get(url("matrix_delete", matrix))
    plan = page.context["plan"]
    assert [(d.model, d.count) for d in plan.deleted] == [(MatrixRow, 3)]
    assert [(d.model, d.count) for d in plan.unlinked] == [(ValueMatrix, 1)]
    with translation.override("nl"):
        label = MatrixRow._meta.verbose_name.capitalize()
    assert f'<th scope="row">{label}</th><td>3</td>' in page.text

    other = Client()
    other.force_login(stranger)
    assert other.post(url("matrix_delete", matrix)).status_code == 404
    assert manager_client.post(url("matrix_delete", matrix)).status_code == 302
    later.refresh_from_db()
    assert later.previous_version is None and Partner.objects.filter(organisation=org).count() == 3
    assert not MatrixRow.objects.exists()
