"""NPS input: scores entered by a member, and the one-question link /nps/<token>/ answered once."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from affiliates.models import NpsRequest, NpsScore, NpsSource, Project
from affiliates.people import nps
from tests.conftest import login
from tests.factories import PartnerFactory

pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def partner(org):
    return PartnerFactory(organisation=org, name="Bouwbedrijf Alfa", category="contractor")


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def link(partner, **kwargs):
    return nps.nps_request_link(partner=partner, actor=None, **kwargs)


# Entering a score


def test_a_member_enters_a_score_with_a_project(manager_client, org, partner):
    project = Project.objects.create(
        organisation=org, partner=partner, customer_reference="K-1", value=800, date=datetime.date(2026, 1, 5)
    )
    response = manager_client.post(
        url("nps_create", org, partner.pk),
        {"score": "9", "date": "2026-01-20", "project": project.pk, "comment": "Netjes opgeleverd"},
    )
    assert response.status_code == 302
    score = NpsScore.objects.get()
    assert (score.score, score.project, score.source, score.organisation) == (
        9,
        project,
        NpsSource.ENTERED,
        org,
    )
    assert score.comment == "Netjes opgeleverd"


@pytest.mark.parametrize("value", ["11", "-1", "", "negen", "7.5"])
def test_a_bad_score_is_refused(manager_client, org, partner, value):
    response = manager_client.post(url("nps_create", org, partner.pk), {"score": value, "date": "2026-01-20"})
    assert response.status_code == 422
    assert not NpsScore.objects.exists()


def test_a_future_date_is_refused(manager_client, org, partner):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = manager_client.post(url("nps_create", org, partner.pk), {"score": "8", "date": tomorrow})
    assert response.status_code == 422
    assert not NpsScore.objects.exists()


def test_another_partners_project_is_refused(manager_client, org, partner):
    other = PartnerFactory(organisation=org)
    project = Project.objects.create(
        organisation=org, partner=other, customer_reference="K-2", value=100, date=datetime.date(2026, 1, 5)
    )
    response = manager_client.post(
        url("nps_create", org, partner.pk), {"score": "8", "date": "2026-01-20", "project": project.pk}
    )
    assert response.status_code == 422
    assert not NpsScore.objects.exists()


def test_the_list_shows_the_nps_figure(manager_client, org, partner, django_assert_max_num_queries):
    for value in (10, 9, 9, 8, 5):  # 3 promoters, 1 detractor of 5 → 40
        nps.nps_score_create(partner=partner, score=value, date=datetime.date(2026, 1, 2), actor=None)
    with django_assert_max_num_queries(14):
        response = manager_client.get(url("nps_list", org, partner.pk))
    assert response.context["summary"]["nps"] == 40
    assert "<strong>40</strong>" in response.content.decode()


def test_nps_figure():
    assert nps.nps_figure([]) is None
    assert nps.nps_figure([10, 10, 0, 7]) == 25


# The link


def test_a_link_to_copy_is_shown_once_and_answered_once(manager_client, client, org, partner):
    response = manager_client.post(url("nps_request_create", org, partner.pk), {"email": ""})
    assert response.status_code == 200
    fresh = response.context["fresh_url"]
    path = fresh.split("testserver", 1)[1]
    assert path.startswith("/nps/")
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert page.content.decode().count('name="score"') == 11
    answered = client.post(path, {"score": "10", "comment": "Top"})
    assert answered.status_code == 200
    score = NpsScore.objects.get()
    assert (score.score, score.source, score.partner, score.comment) == (10, NpsSource.LINK, partner, "Top")
    request = NpsRequest.objects.get()
    assert request.score == score and request.answered_at is not None
    again = client.post(path, {"score": "0"})
    assert again.status_code == 410
    assert NpsScore.objects.count() == 1
    assert client.get(path).status_code == 410


def test_the_link_is_mailed_by_the_task_and_works(manager_client, client, org, partner):
    response = manager_client.post(
        url("nps_request_create", org, partner.pk), {"email": "klant@example.nl", "project": ""}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["klant@example.nl"]
    assert "Bouwbedrijf Alfa" in message.subject
    path = re.search(r"https?://[^/\s]+(/nps/[^\s]+/)", message.body).group(1)
    request = NpsRequest.objects.get()
    assert not nps.is_pending(request)
    assert client.post(path, {"score": "7"}).status_code == 200
    assert NpsScore.objects.get().score == 7


def test_the_mail_task_sends_once(org, partner):
    request = nps.nps_request_mail(partner=partner, email="klant@example.nl", actor=None)
    client_link = NpsRequest.objects.get(pk=request.pk)
    assert nps.is_pending(client_link)
    assert nps.nps_mail_link(nps_request_id=request.pk) is True
    assert nps.nps_mail_link(nps_request_id=request.pk) is False
    assert len(mail.outbox) == 1


def test_a_pending_request_withdrawn_before_the_task_sends_nothing(org, partner):
    request = nps.nps_request_mail(partner=partner, email="klant@example.nl", actor=None)
    nps.nps_request_revoke(nps_request=request, actor=None)
    assert nps.nps_mail_link(nps_request_id=request.pk) is False
    assert mail.outbox == []


def test_a_bad_email_address_is_refused(manager_client, org, partner):
    response = manager_client.post(url("nps_request_create", org, partner.pk), {"email": "geen-adres"})
    assert response.status_code == 422
    assert not NpsRequest.objects.exists()
    assert mail.outbox == []


def test_unknown_link_is_404(client, db):
    response = client.post(reverse("nps_answer", args=["onbekend-token"]), {"score": "5"})
    assert response.status_code == 404
    assert not NpsScore.objects.exists()


def test_withdrawn_link_is_410_and_writes_nothing(manager_client, client, org, partner):
    request, raw = link(partner)
    response = manager_client.post(url("nps_request_revoke", org, request.pk))
    assert response.status_code == 302
    response = client.post(reverse("nps_answer", args=[raw]), {"score": "5"})
    assert response.status_code == 410
    assert not NpsScore.objects.exists()


def test_expired_link_is_410(client, partner):
    request, raw = link(partner)
    NpsRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("nps_answer", args=[raw])).status_code == 410
    assert client.post(reverse("nps_answer", args=[raw]), {"score": "5"}).status_code == 410
    assert not NpsScore.objects.exists()


@pytest.mark.parametrize("value", ["", "11", "x", "-3"])
def test_a_bad_answer_writes_nothing_and_asks_again(client, partner, value):
    request, raw = link(partner)
    response = client.post(reverse("nps_answer", args=[raw]), {"score": value, "comment": "bewaard"})
    assert response.status_code == 422
    assert "bewaard" in response.content.decode()
    assert not NpsScore.objects.exists()
    request.refresh_from_db()
    assert request.answered_at is None


def test_the_public_page_speaks_u(client, partner):
    _request, raw = link(partner)
    page = client.get(reverse("nps_answer", args=[raw]), headers={"accept-language": "nl"}).content.decode()
    assert "Bouwbedrijf Alfa" in page
    assert " je " not in page.lower() and " jij " not in page.lower()


def test_viewer_cannot_make_a_link(client, viewer, org, partner):
    response = login(client, viewer).post(url("nps_request_create", org, partner.pk), {"email": ""})
    assert response.status_code == 403
    assert not NpsRequest.objects.exists()


def test_another_organisations_partner_is_404(client, stranger, other_org, partner):
    login(client, stranger)
    assert (
        client.post(
            url("nps_create", other_org, partner.pk), {"score": "5", "date": "2026-01-01"}
        ).status_code
        == 404
    )
    assert client.get(url("nps_list", other_org, partner.pk)).status_code == 404
    assert not NpsScore.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_store_one_score(org):
    """Postgres row locks: two posts of one link at the same moment store one score."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres row locks")
    partner = PartnerFactory(organisation=org)
    _request, raw = link(partner)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(value):
        try:
            barrier.wait()
            nps.nps_answer(raw_token=raw, score=value)
            outcomes.append("saved")
        except nps.NpsClosed as closed:
            outcomes.append(closed.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(v,)) for v in (3, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered", "saved"]
    assert NpsScore.objects.filter(partner=partner).count() == 1
