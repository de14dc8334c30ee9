"""Collaborations and rounds in the product: creating them, sending invitations, links, revoking, repeats."""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from checker import services
from checker.models import CheckerRound, Collaboration, Invitation, Statement
from tests.checker.conftest import make_round
from tests.factories import ContactFactory, PartnerFactory


def url(name, org, *args):
    return reverse(f"checker:{name}", args=[org.slug, *args])


def in_days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_a_manager_creates_a_collaboration_of_own_partners_only(manager_client, org, other_org):
    mine = PartnerFactory(organisation=org, name="Sennheiser")
    foreign = PartnerFactory(organisation=other_org)
    response = manager_client.post(
        url("collaboration_create", org), {"name": "Alliantie", "partners": [mine.pk, foreign.pk]}
    )
    assert response.status_code == 200 and "partners" in response.context["form"].errors
    assert not Collaboration.objects.exists()
    response = manager_client.post(
        url("collaboration_create", org), {"name": " Alliantie ", "partners": [mine.pk]}
    )
    collaboration = Collaboration.objects.get()
    assert response.status_code == 302 and collaboration.name == "Alliantie"
    assert list(collaboration.partners.all()) == [mine]


def test_a_round_is_created_with_own_statements_and_reminder_days(manager_client, org, collaboration):
    response = manager_client.post(
        url("round_create", org, collaboration.pk),
        {
            "name": "Voorjaar",
            "opens_on": in_days(0),
            "deadline": in_days(14),
            "anonymous": "on",
            "reminder_days": "7, 3",
            "new_statements": "We delen ons netwerk met elkaar.\n\n",
        },
    )
    round_ = CheckerRound.objects.get()
    assert response.status_code == 302 and response.url == round_.get_absolute_url()
    assert round_.anonymous and round_.reminder_days == [3, 7]
    assert round_.round_statements.count() == 18
    assert Statement.objects.get(organisation=org).text_nl == "We delen ons netwerk met elkaar."


def test_bad_round_input_is_refused_with_reasons(manager_client, org, collaboration):
    response = manager_client.post(
        url("round_create", org, collaboration.pk),
        {"name": "X", "opens_on": in_days(5), "deadline": in_days(2), "reminder_days": "3, 7, 14, 21"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"deadline", "reminder_days"}
    assert not CheckerRound.objects.exists()


def test_the_round_page_lists_respondents_with_their_links(manager_client, org, checker_round):
    html = manager_client.get(checker_round.get_absolute_url()).text
    for invitation in checker_round.invitations.all():
        assert escape(invitation.name) in html  # names as made up by the factory: "Meike d' Heripon" too
        assert invitation.get_survey_url() in html


def test_sending_mails_everyone_with_an_address_once(manager_client, org, checker_round, eager_celery):
    with_address = checker_round.invitations.exclude(email="").count()
    manager_client.post(url("round_send", org, checker_round.pk))
    assert len(mail.outbox) == with_address
    assert not checker_round.invitations.exclude(email="").filter(sent_at__isnull=True).exists()
    manager_client.post(url("round_send", org, checker_round.pk))  # a second click sends nothing new
    assert len(mail.outbox) == with_address


def test_a_new_link_and_a_revoke_stop_the_old_link(manager_client, org, checker_round):
    invitation = checker_round.invitations.get(name="Katrin Vogel")
    old = invitation.link_token()
    manager_client.post(url("respondent_new_link", org, checker_round.pk, invitation.pk))
    invitation.refresh_from_db()
    assert Invitation.objects.by_token(old) is None
    new = invitation.link_token()
    assert (
        manager_client.get(url("respondent_revoke", org, checker_round.pk, invitation.pk)).status_code == 200
    )
    assert Invitation.objects.by_token(new) == invitation  # asking is not doing
    manager_client.post(url("respondent_revoke", org, checker_round.pk, invitation.pk))
    assert Invitation.objects.by_token(new) is None


def test_the_next_round_copies_the_respondents(manager_client, org, checker_round, collaboration):
    ContactFactory(partner=collaboration.partners.first(), name="Later Toegevoegd")
    response = manager_client.post(
        url("round_repeat", org, checker_round.pk),
        {"name": "Najaar", "opens_on": in_days(0), "deadline": in_days(21)},
    )
    following = CheckerRound.objects.get(name="Najaar")
    assert response.status_code == 302 and following.previous_round == checker_round
    assert sorted(following.invitations.values_list("name", flat=True)) == sorted(
        checker_round.invitations.values_list("name", flat=True)
    )


def test_a_viewer_reads_but_cannot_send_create_or_revoke(viewer_client, org, checker_round, collaboration):
    invitation = checker_round.invitations.first()
    page = viewer_client.get(checker_round.get_absolute_url())
    assert page.status_code == 200 and invitation.get_survey_url() not in page.text
    assert viewer_client.post(url("round_send", org, checker_round.pk)).status_code == 403
    assert viewer_client.get(url("round_create", org, collaboration.pk)).status_code == 403
    assert (
        viewer_client.post(url("respondent_revoke", org, checker_round.pk, invitation.pk)).status_code == 403
    )
    assert (
        viewer_client.post(url("respondent_new_link", org, checker_round.pk, invitation.pk)).status_code
        == 403
    )
    assert len(mail.outbox) == 0 and Invitation.objects.by_token(invitation.link_token()) == invitation


def test_the_checker_home_shows_open_rounds_with_their_response(manager_client, org, checker_round):
    manager_client.cookies["django_language"] = "en"
    invited = checker_round.invitations.count()
    html = manager_client.get(url("checker_home", org)).text
    assert checker_round.name in html and f"0 of {invited}" in html


def test_the_partner_page_shows_its_latest_scores_and_grade(manager_client, org, checker_round):
    invitation = checker_round.invitations.get(name="Pieter de Groot")
    statement = checker_round.statements.get(code="trust")
    services.answer_save(invitation=invitation, statement_id=statement.pk, score=2)
    services.grade_save(invitation=invitation, grade=6)
    html = manager_client.get(invitation.partner.get_absolute_url()).text
    assert "We kunnen elkaar vertrouwen." in html and "<strong>6,0</strong>" in html


def test_an_anonymised_round_shows_no_scores_on_the_partner_page(manager_client, org, collaboration, owner):
    round_ = make_round(collaboration, owner, anonymous=True)
    invitation = round_.invitations.get(name="Pieter de Groot")
    statement = round_.statements.get(code="trust")
    services.answer_save(invitation=invitation, statement_id=statement.pk, score=2)
    html = manager_client.get(invitation.partner.get_absolute_url()).text
    assert "We kunnen elkaar vertrouwen." not in html and round_.name in html


def test_the_dashboard_shows_open_rounds_with_their_response(manager_client, org, checker_round):
    manager_client.cookies["django_language"] = "en"
    html = manager_client.get(reverse("dashboard", args=[org.slug])).text
    assert checker_round.name in html and f"0 of {checker_round.invitations.count()} answered" in html
