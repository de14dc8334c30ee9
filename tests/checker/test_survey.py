"""The public survey at /s/<token>/: answers autosaved one by one, progress, submit (also without JavaScript),
coming back to change answers, and links that are unknown, withdrawn or past the deadline writing nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checker import services
from checker.models import Answer, Invitation
from tests.checker.conftest import make_round


@pytest.fixture
def invitation(checker_round):
    return checker_round.invitations.get(name="Katrin Vogel")


def url(name, invitation):
    return reverse(f"survey:{name}", args=[invitation.link_token()])


def statement_ids(round_):
    return list(round_.round_statements.order_by("position").values_list("statement_id", flat=True))


def test_the_survey_shows_every_statement_with_its_help_text_and_needs_no_account(client, invitation):
    response = client.get(url("survey", invitation))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="survey-item') == 18  # 17 statements and the grade
    assert "We denken hetzelfde over wat de markt wil." in html
    assert "Wie onze klant is, wat de klantwensen zijn" in html
    assert "Hoe succesvol vindt u uw samenwerking?" in html
    assert "Sennheiser" in html and "0 van 18 beantwoord" in html


def test_an_answer_is_saved_as_it_is_given_and_progress_follows(client, invitation):
    first = statement_ids(invitation.round)[0]
    response = client.post(
        url("survey_answer", invitation), {f"s{first}": "4"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Opgeslagen" in response.content.decode() and "1 van 18 beantwoord" in response.content.decode()
    assert Answer.objects.get(invitation=invitation).score == 4
    client.post(url("survey_answer", invitation), {f"s{first}": "2"}, headers={"HX-Request": "true"})
    assert Answer.objects.get(invitation=invitation).score == 2  # changed, not added
    response = client.post(url("survey_grade", invitation), {"grade": "7"}, headers={"HX-Request": "true"})
    invitation.refresh_from_db()
    assert invitation.grade == 7 and "2 van 18 beantwoord" in response.content.decode()
    page = client.get(url("survey", invitation)).content.decode()
    assert f'name="s{first}" value="2" checked' in page and 'name="grade" value="7" checked' in page


@pytest.mark.parametrize("value", ["0", "6", "vier", ""])
def test_a_bad_score_is_refused_and_nothing_is_stored(client, invitation, value):
    first = statement_ids(invitation.round)[0]
    response = client.post(
        url("survey_answer", invitation), {f"s{first}": value}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and "Kies een score van 1 tot 5." in response.content.decode()
    assert not Answer.objects.exists()


def test_a_statement_outside_the_round_is_refused(client, invitation, other_org, collaboration, owner):
    foreign = services.Statement.objects.create(organisation=other_org, text_nl="Niet van deze ronde")
    response = client.post(url("survey_answer", invitation), {f"s{foreign.pk}": "3"})
    assert response.status_code == 400 and not Answer.objects.exists()


def answers_for(round_, score=3):
    return {f"s{statement_id}": str(score) for statement_id in statement_ids(round_)}


def test_without_javascript_the_whole_form_submits_once(client, invitation):
    response = client.post(url("survey_submit", invitation), {**answers_for(invitation.round), "grade": "8"})
    assert response.status_code == 302 and response.url == url("survey", invitation)
    invitation.refresh_from_db()
    first_submit = invitation.submitted_at
    assert first_submit is not None and invitation.grade == 8 and invitation.answers.count() == 17
    # A double click, or coming back and submitting again: one response, the first moment kept.
    client.post(url("survey_submit", invitation), {**answers_for(invitation.round, 4), "grade": "8"})
    invitation.refresh_from_db()
    assert invitation.submitted_at == first_submit and invitation.answers.count() == 17
    assert set(invitation.answers.values_list("score", flat=True)) == {4}
    assert "Bedankt" in client.get(url("survey", invitation)).content.decode()


def test_an_incomplete_submit_keeps_what_was_given_and_marks_what_is_open(client, invitation):
    ids = statement_ids(invitation.round)
    response = client.post(url("survey_submit", invitation), {f"s{ids[0]}": "5", f"s{ids[1]}": "1"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Nog niet alles is beantwoord" in html and html.count("Nog niet beantwoord.") == 16  # 15 + grade
    invitation.refresh_from_db()
    assert invitation.submitted_at is None and invitation.answers.count() == 2


def test_answers_can_be_changed_after_submitting_until_the_deadline(client, invitation):
    client.post(url("survey_submit", invitation), {**answers_for(invitation.round), "grade": "6"})
    first = statement_ids(invitation.round)[0]
    response = client.post(
        url("survey_answer", invitation), {f"s{first}": "5"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert Answer.objects.get(invitation=invitation, statement_id=first).score == 5


def closed_links(collaboration, owner):
    """An expired link (round with a deadline yesterday), a revoked one, and one not yet open."""
    today = timezone.localdate()
    past = make_round(
        collaboration,
        owner,
        name="Vorige",
        opens_on=today - datetime.timedelta(days=20),
        deadline=today - datetime.timedelta(days=1),
    )
    open_round = make_round(collaboration, owner, name="Open")
    revoked = open_round.invitations.get(name="Katrin Vogel")
    services.invitation_revoke(invitation=revoked, actor=owner)
    later = make_round(
        collaboration, owner, name="Later", opens_on=today + datetime.timedelta(days=3), days=20
    )
    return {
        "expired": past.invitations.get(name="Katrin Vogel"),
        "revoked": revoked,
        "not_open": later.invitations.get(name="Katrin Vogel"),
    }


@pytest.mark.parametrize(
    ("reason", "status", "text"),
    [
        ("expired", 410, "Deze vragenlijst is gesloten"),
        ("revoked", 410, "Deze link is ingetrokken"),
        ("not_open", 403, "Deze vragenlijst is nog niet geopend"),
    ],
)
def test_a_closed_link_gets_a_clear_page_and_writes_nothing(
    client, collaboration, owner, reason, status, text
):
    invitation = closed_links(collaboration, owner)[reason]
    first = statement_ids(invitation.round)[0]
    page = client.get(url("survey", invitation))
    assert page.status_code == status and text in page.content.decode()
    assert "Katrin" not in page.content.decode() or reason == "not_open"
    responses = [
        client.post(url("survey_answer", invitation), {f"s{first}": "3"}),
        client.post(url("survey_grade", invitation), {"grade": "5"}),
        client.post(url("survey_submit", invitation), {**answers_for(invitation.round), "grade": "5"}),
    ]
    assert {response.status_code for response in responses} == {status}
    invitation.refresh_from_db()
    assert not invitation.answers.exists() and invitation.grade is None and invitation.submitted_at is None


def test_an_unknown_link_is_a_clear_not_found_page(client, invitation):
    for name in ("survey", "survey_answer"):
        response = (client.get if name == "survey" else client.post)(
            reverse(f"survey:{name}", args=["x" * 64])
        )
        assert response.status_code == 404
    assert "Deze link is niet bekend" in client.get(reverse("survey:survey", args=["nope"])).content.decode()


def test_an_autosave_on_a_page_left_open_past_the_deadline_sends_the_browser_to_the_closed_page(
    client, collaboration, owner
):
    invitation = closed_links(collaboration, owner)["expired"]
    first = statement_ids(invitation.round)[0]
    response = client.post(
        url("survey_answer", invitation), {f"s{first}": "3"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 410 and response["HX-Redirect"] == url("survey", invitation)
    assert not Invitation.objects.get(pk=invitation.pk).answers.exists()


def test_a_new_link_replaces_the_old_one(client, invitation):
    old = url("survey", invitation)
    services.invitation_new_link(invitation=invitation)
    assert client.get(old).status_code == 404
    assert client.get(url("survey", invitation)).status_code == 200
