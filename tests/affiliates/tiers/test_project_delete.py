"""Deleting a project: refused with a clear page while a commission was earned on it (the ledger keeps its
order); otherwise the confirm page lists what goes with it."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from affiliates.models import Commission, CommissionKind, NpsScore, Project
from tests.affiliates.factories_tiers import NpsScoreFactory, ProjectFactory
from tests.factories import PartnerFactory


@pytest.fixture
def project(org):
    return ProjectFactory(partner=PartnerFactory(organisation=org, name="Bouwbedrijf De Vries"))


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def dutch(msgid):
    with translation.override("nl"):
        return gettext(msgid)


def commission_on(project):
    return Commission.objects.create(
        organisation=project.organisation,
        partner=project.partner,
        kind=CommissionKind.COMMISSION,
        amount=Decimal("80.00"),
        project=project,
    )


def test_a_project_with_a_commission_shows_what_holds_on_to_it_and_no_delete_button(
    manager_client, org, project
):
    commission_on(project)
    page = manager_client.get(url("project_delete", org, project.pk))
    assert page.status_code == 200
    assert [(d.model, d.count) for d in page.context["plan"].blockers] == [(Commission, 1)]
    with translation.override("nl"):
        label = Commission._meta.verbose_name.capitalize()
    assert f'<th scope="row">{label}</th><td>1</td>' in page.text
    assert url("commission_list", org) in page.text
    assert dutch("Yes, delete") not in page.text


def test_deleting_it_anyway_changes_nothing_and_says_why(manager_client, stranger, org, project):
    commission_on(project)
    response = manager_client.post(url("project_delete", org, project.pk))
    assert response.status_code == 200
    assert (
        Project.objects.filter(pk=project.pk).exists() and Commission.objects.filter(project=project).exists()
    )
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    other = Client()
    other.force_login(stranger)
    assert other.post(url("project_delete", org, project.pk)).status_code == 404


def test_the_confirm_page_says_what_keeps_the_project_without_the_link(manager_client, org, project):
    NpsScoreFactory(partner=project.partner, project=project)
    page = manager_client.get(url("project_delete", org, project.pk))
    assert [(d.model, d.count) for d in page.context["plan"].unlinked] == [(NpsScore, 1)]
    manager_client.post(url("project_delete", org, project.pk))
    assert not Project.objects.filter(pk=project.pk).exists()
    assert NpsScore.objects.get().project is None
