"""The ten basic questions of an agreement: each party's sheet through its link (/q/<token>/) or in the app,
the link by e-mail, the answers side by side with conclusions and follow-up actions, the dashboard's due
actions, and that viewers and closed links change nothing."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agreements import services
from agreements.models import FollowUpAction, QuestionAnswer, QuestionConclusion, QuestionSheet
from agreements.questions import actions, answers, conclusions, selectors, sheets, tasks
from agreements.questions.texts import TEN_QUESTIONS
from agreements.signing import selectors as signing_selectors
from agreements.signing import sign_requests, signatures, versions
from partnerhub.models import AuditEntry
from partnerhub.tokens import token_hash
from tests.factories import ContactFactory, PartnerFactory

HTMX = {"HX-Request": "true"}
CODES = [code for code, *_rest in TEN_QUESTIONS]


def url(name, org, *args):
    return reverse(f"agreements:{name}", args=[org.slug, *args])


def public(name, token):
    return reverse(f"questions:{name}", args=[token])


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


pytestmark = pytest.mark.usefixtures("eager_celery")  # tasks run in-process, whatever the broker


@pytest.fixture
def agreement(org, owner):
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=sennheiser, name="Katrin Vogel", email="katrin@sennheiser.example")
    fonds = PartnerFactory(organisation=org, name="Innovatiefonds")
    return services.agreement_create(
        organisation=org,
        actor=owner,
        title="Tinnitracks-alliantie",
        partners=[sennheiser, fonds],
        kind="structural",
    )


@pytest.fixture
def parties(agreement):
    """(own organisation, Sennheiser, Innovatiefonds)"""
    return list(agreement.parties.order_by("position"))


@pytest.fixture
def linked(parties, owner):
    """Sennheiser's sheet with a fresh link: (sheet, raw token)."""
    return sheets.sheet_issue_link(party=parties[1], actor=owner)


def answer_all(sheet, *, skip=()):
    for code in CODES:
        if code not in skip:
            answers.answer_save(sheet=sheet, code=code, text=f"Antwoord op {code}")


# The public sheet


def test_the_link_shows_the_party_the_agreement_and_the_ten_questions_with_help(client, linked):
    _sheet, token = linked
    response = client.get(public("sheet", token))
    html = response.text
    assert response.status_code == 200
    assert "Sennheiser" in html and "Tinnitracks-alliantie" in html and "Katrin Vogel" in html
    for _code, dutch, _english, help_nl, _help_en in TEN_QUESTIONS:
        assert escape(dutch) in html and escape(help_nl) in html
    assert (
        html.count("<textarea") == 10 and html.count('hx-trigger="input changed delay:800ms, change"') == 10
    )
    assert "0 van 10 beantwoord" in html and "Mijn antwoorden indienen" in html
    assert "<script>" not in html  # the CSP allows no inline script


def test_the_questions_are_in_english_for_an_english_reader(client, linked):
    _sheet, token = linked
    client.cookies["django_language"] = "en"
    html = client.get(public("sheet", token)).text
    assert "What do you bring to this collaboration? What is your added value?" in html
    assert "Submit my answers" in html and "0 of 10 answered" in html


def test_an_answer_is_autosaved_trimmed_progress_follows_and_a_reload_finds_it(client, linked):
    sheet, token = linked
    response = client.post(
        public("sheet_answer", token), {"goal": "  20 nieuwe klanten vóór 1 juli  "}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Opgeslagen om" in response.text and "1 van 10 beantwoord" in response.text
    assert QuestionAnswer.objects.get(sheet=sheet, code="goal").text == "20 nieuwe klanten vóór 1 juli"

    client.post(public("sheet_answer", token), {"goal": "30 nieuwe klanten"}, headers=HTMX)
    client.post(public("sheet_answer", token), {"roles": "Over een jaar…"}, headers=HTMX)
    assert QuestionAnswer.objects.filter(sheet=sheet).count() == 2  # changed, not added
    page = client.get(public("sheet", token)).text
    assert ">30 nieuwe klanten</textarea>" in page and ">Over een jaar…</textarea>" in page
    assert "2 van 10 beantwoord" in page

    response = client.post(public("sheet_answer", token), {"roles": "   "}, headers=HTMX)
    assert "1 van 10 beantwoord" in response.text  # emptied: no longer counted
    assert not QuestionAnswer.objects.filter(sheet=sheet, code="roles").exists()


def test_a_too_long_or_unknown_answer_is_refused_and_nothing_is_stored(client, linked):
    sheet, token = linked
    response = client.post(public("sheet_answer", token), {"goal": "x" * 5001}, headers=HTMX)
    assert response.status_code == 422 and "hoogstens 5000 tekens" in response.text
    assert client.post(public("sheet_answer", token), {"nonsense": "x"}, headers=HTMX).status_code == 400
    two = {"goal": "a", "roles": "b"}
    assert client.post(public("sheet_answer", token), two, headers=HTMX).status_code == 400
    assert not QuestionAnswer.objects.filter(sheet=sheet).exists()


def test_submitting_needs_every_answer_and_keeps_what_was_written(client, linked):
    sheet, token = linked
    form = {code: f"Antwoord {code}" for code in CODES if code != "risks"} | {"risks": "", "intent": "submit"}
    response = client.post(public("sheet_submit", token), form)
    assert response.status_code == 422
    assert "de open vragen staan hieronder gemarkeerd" in response.text
    assert 'id="item-risks"' in response.text and "sheet-item missing" in response.text
    sheet.refresh_from_db()
    assert sheet.submitted_at is None and sheet.answers.count() == 9

    form["risks"] = "Afhankelijkheid van één partner"
    response = client.post(public("sheet_submit", token), form)
    assert response.status_code == 302 and response.url == public("sheet", token)
    sheet.refresh_from_db()
    assert sheet.submitted_at is not None and sheet.answers.count() == 10
    assert "Bedankt: uw antwoorden zijn ingediend" in client.get(public("sheet", token)).text
    assert AuditEntry.objects.filter(object_type="agreements.questionsheet", actor=None).exists()


def test_submitting_again_keeps_the_first_moment_and_answers_stay_editable(client, linked):
    sheet, token = linked
    answer_all(sheet)
    first = timezone.now() - datetime.timedelta(days=3)
    QuestionSheet.objects.filter(pk=sheet.pk).update(submitted_at=first)
    client.post(public("sheet_answer", token), {"goal": "Bijgesteld doel"}, headers=HTMX)
    client.post(public("sheet_submit", token), {code: "Opnieuw" for code in CODES})
    sheet.refresh_from_db()
    assert sheet.submitted_at == first
    assert sheet.answers.get(code="goal").text == "Opnieuw"


def test_the_draft_button_saves_without_submitting(client, linked):
    sheet, token = linked
    response = client.post(public("sheet_submit", token), {"goal": "Eerste gedachte", "intent": "draft"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.submitted_at is None and sheet.answers.get(code="goal").text == "Eerste gedachte"
    assert "Uw antwoorden zijn opgeslagen" in client.get(public("sheet", token)).text


def test_a_too_long_answer_in_the_whole_form_stores_nothing_and_keeps_the_text(client, linked):
    sheet, token = linked
    form = {"goal": "Doel", "roles": "y" * 5001}
    response = client.post(public("sheet_submit", token), form)
    assert response.status_code == 422 and "Er is niets opgeslagen" in response.text
    assert ">Doel</textarea>" in response.text  # what was typed comes back
    assert not sheet.answers.exists()


def closed_sheet(linked, how):
    sheet, token = linked
    if how == "unknown":
        return sheet, "onbekend-" + token[:20], 404
    if how == "revoked":
        sheet.revoked_at = timezone.now()
    else:
        sheet.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    sheet.save()
    return sheet, token, 410


@pytest.mark.parametrize("how", ["unknown", "revoked", "expired"])
def test_a_closed_link_gets_its_own_page_and_writes_nothing(client, linked, how):
    sheet, token, status = closed_sheet(linked, how)
    page = client.get(public("sheet", token))
    assert page.status_code == status and "Er is niets opgeslagen" in page.text
    assert "Tinnitracks-alliantie" not in page.text  # nothing of the agreement is revealed
    saved = client.post(public("sheet_answer", token), {"goal": "Te laat"}, headers=HTMX)
    assert saved.status_code == status and saved["HX-Redirect"] == public("sheet", token)
    form = {code: "Te laat" for code in CODES}
    assert client.post(public("sheet_submit", token), form).status_code == status
    sheet.refresh_from_db()
    assert not QuestionAnswer.objects.exists() and sheet.submitted_at is None


def test_a_link_withdrawn_while_the_page_is_open_refuses_the_next_autosave(client, linked, owner):
    sheet, token = linked
    assert client.post(public("sheet_answer", token), {"goal": "Eerst"}, headers=HTMX).status_code == 200
    sheets.sheet_revoke(sheet=sheet, actor=owner)
    assert client.post(public("sheet_answer", token), {"goal": "Daarna"}, headers=HTMX).status_code == 410
    assert sheet.answers.get(code="goal").text == "Eerst"


# Links: made, mailed, withdrawn


def test_a_copied_link_is_shown_once_only_its_hash_is_kept_and_a_new_one_replaces_it(
    manager_client, org, agreement, parties
):
    party = parties[1]
    response = manager_client.post(url("questions_link", org, agreement.pk, party.pk))
    assert response.status_code == 200
    first = re.search(r'value="http://testserver/q/([^/"]+)/"', response.text)[1]
    sheet = QuestionSheet.objects.get(party=party)
    assert sheet.token_hash == token_hash(first) and first not in str(sheet.__dict__)
    assert sheet.expires_at.date() == (timezone.now() + datetime.timedelta(days=60)).date()
    assert first not in manager_client.get(url("questions", org, agreement.pk)).text  # shown once

    again = manager_client.post(url("questions_link", org, agreement.pk, party.pk))
    second = re.search(r'value="http://testserver/q/([^/"]+)/"', again.text)[1]
    assert manager_client.get(public("sheet", first)).status_code == 404
    assert manager_client.get(public("sheet", second)).status_code == 200


def test_the_link_is_mailed_through_celery_with_a_fresh_token(manager_client, org, agreement, parties):
    party = parties[1]
    response = manager_client.post(
        url("questions_send", org, agreement.pk, party.pk), {"email": "katrin@sennheiser.example"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["katrin@sennheiser.example"]
    assert "Tinnitracks-alliantie" in message.subject and "Beste Katrin Vogel" in message.body
    link = re.search(r"http://testserver(/q/[^\s]+/)", message.body)[1]
    assert manager_client.get(link).status_code == 200
    sheet = QuestionSheet.objects.get(party=party)
    assert sheet.sent_at is not None and sheet.email == "katrin@sennheiser.example"
    page = manager_client.get(url("questions", org, agreement.pk)).text
    assert "laatst gemaild naar katrin@sennheiser.example" in page


def test_a_mail_task_that_runs_twice_sends_once(parties, owner):
    sheet = sheets.sheet_request_mail(party=parties[1], email="katrin@sennheiser.example", actor=owner)
    requested = timezone.now().isoformat()
    tasks.send_question_link(sheet.pk, requested)
    tasks.send_question_link(sheet.pk, requested)
    assert len(mail.outbox) == 1


def test_a_bad_address_is_refused_and_nothing_is_sent(manager_client, org, agreement, parties):
    response = manager_client.post(
        url("questions_send", org, agreement.pk, parties[2].pk), {"email": "geen-adres"}
    )
    assert response.status_code == 422 and "Dit is geen geldig e-mailadres." in response.text
    assert len(mail.outbox) == 0 and not QuestionSheet.objects.filter(party=parties[2], sent_at__isnull=False)


def test_withdrawing_a_link_asks_first_then_stops_it(manager_client, org, agreement, linked):
    sheet, token = linked
    revoke = url("questions_revoke", org, agreement.pk, sheet.party_id)
    confirm = manager_client.get(revoke)
    assert confirm.status_code == 200 and "Ja, trek de link in" in confirm.text
    assert manager_client.get(public("sheet", token)).status_code == 200  # asking is not doing
    assert manager_client.post(revoke).status_code == 302
    assert manager_client.get(public("sheet", token)).status_code == 410
    assert "Link ingetrokken." in manager_client.get(url("questions", org, agreement.pk)).text


def test_the_parties_page_shows_how_far_each_party_is(manager_client, org, agreement, parties, linked):
    sheet, _token = linked
    answers.answer_save(sheet=sheet, code="goal", text="Doel")
    own = sheets.sheet_for(party=parties[0])
    answer_all(own)
    answers.sheet_submit(sheet=own)
    html = manager_client.get(url("questions", org, agreement.pk)).text
    assert "1 van 10 beantwoord" in html and "ingediend" in html and "niet begonnen" in html
    assert "Nog geen link uitgedeeld." in html and "Link werkt tot" in html


# Answering in the app


def test_a_member_answers_for_the_organisation_in_the_app(manager_client, org, agreement, parties):
    own = parties[0]
    page = url("questions_answer", org, agreement.pk, own.pk)
    assert manager_client.get(page).status_code == 200
    assert not QuestionSheet.objects.exists()  # looking makes nothing
    save = url("questions_answer_save", org, agreement.pk, own.pk)
    response = manager_client.post(save, {"goal": "Samen de KNO-markt op"}, headers=HTMX)
    assert response.status_code == 200 and "1 van 10 beantwoord" in response.text
    sheet = QuestionSheet.objects.get(party=own)
    assert sheet.answers.get().text == "Samen de KNO-markt op"
    assert selectors.link_state(sheet) == "none"  # answering in the app hands out no link

    response = manager_client.post(page, {code: f"Ons antwoord {code}" for code in CODES})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.submitted_at is not None and sheet.answers.count() == 10


# Side by side


def test_side_by_side_shows_every_partys_answer_per_question(manager_client, org, agreement, parties):
    own, sennheiser, _fonds = (sheets.sheet_for(party=party) for party in parties)
    answers.answer_save(sheet=own, code="goal", text="Ons doel: 20 klinieken")
    answers.answer_save(sheet=sennheiser, code="goal", text="Hun doel: afzet koptelefoons")
    answers.answer_save(sheet=sennheiser, code="risks", text="Merkschade")
    response = manager_client.get(url("questions_compare", org, agreement.pk))
    html = response.text
    assert response.status_code == 200
    goal = html[html.index('id="q-goal"') : html.index('id="q-own-contribution"')]
    assert "Ons doel: 20 klinieken" in goal and "Hun doel: afzet koptelefoons" in goal
    assert goal.index("Tinnitracks") < goal.index("Sennheiser") < goal.index("Innovatiefonds")
    assert goal.count("Nog geen antwoord") == 1  # the fund did not answer
    risks = html[html.index('id="q-risks"') : html.index('id="q-risk-mitigation"')]
    assert "Merkschade" in risks and risks.count("Nog geen antwoord") == 2
    assert html.count('class="qa-item"') == 11  # ten questions and the general actions


def test_the_side_by_side_page_takes_the_same_queries_for_more_parties(
    manager_client, org, agreement, parties, django_assert_max_num_queries
):
    for party in parties:
        answer_all(sheets.sheet_for(party=party))
    with django_assert_max_num_queries(20) as few:
        manager_client.get(url("questions_compare", org, agreement.pk))
    for name in ("Klinieknetwerk", "Zorgverzekeraar", "Audiologen"):
        partner = PartnerFactory(organisation=org, name=name)
        party = agreement.parties.create(partner=partner, position=9)
        answer_all(sheets.sheet_for(party=party))
        actions.action_create(
            agreement=agreement,
            actor=None,
            description="Bellen",
            owner=party,
            due_date=in_days(3),
            code="goal",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(url("questions_compare", org, agreement.pk))
    assert "Audiologen" in response.text


def test_a_conclusion_is_saved_with_htmx_and_without(manager_client, org, agreement, owner):
    save = url("questions_conclusion", org, agreement.pk)
    response = manager_client.post(
        save, {"code": "goal", "text": " Samen 20 klinieken in 2027 ", "original": ""}, headers=HTMX
    )
    assert response.status_code == 200 and "Opgeslagen om" in response.text
    assert 'id="original-goal" value="Samen 20 klinieken in 2027"' in response.text
    conclusion = QuestionConclusion.objects.get(agreement=agreement, code="goal")
    assert (
        conclusion.text == "Samen 20 klinieken in 2027"
        and conclusion.updated_by.email == "manager@example.nl"
    )

    response = manager_client.post(save, {"code": "risks", "text": "Exit na twee jaar", "original": ""})
    assert response.status_code == 302 and response.url.endswith("#q-risks")
    html = manager_client.get(url("questions_compare", org, agreement.pk)).text
    assert "Exit na twee jaar</textarea>" in html
    assert AuditEntry.objects.filter(object_type="agreements.questionconclusion").count() == 2


def test_a_conclusion_changed_by_someone_else_is_not_overwritten_unseen(
    manager_client, org, agreement, owner
):
    conclusions.conclusion_save(agreement=agreement, code="goal", text="Versie van de eigenaar", actor=owner)
    save = url("questions_conclusion", org, agreement.pk)
    data = {"code": "goal", "text": "Mijn versie", "original": ""}
    response = manager_client.post(save, data, headers=HTMX)
    assert response.status_code == 409 and "Versie van de eigenaar" in response.text
    assert QuestionConclusion.objects.get(code="goal").text == "Versie van de eigenaar"
    page = manager_client.post(save, data)  # without JavaScript: the page, with both texts
    assert page.status_code == 409 and "Mijn versie</textarea>" in page.text
    assert 'id="original-goal" value="Versie van de eigenaar"' in page.text
    # Having seen theirs, saving again replaces it.
    data["original"] = "Versie van de eigenaar"
    assert manager_client.post(save, data, headers=HTMX).status_code == 200
    assert QuestionConclusion.objects.get(code="goal").text == "Mijn versie"


def test_a_conclusion_for_an_unknown_question_is_refused(manager_client, org, agreement):
    save = url("questions_conclusion", org, agreement.pk)
    assert manager_client.post(save, {"code": "bestaat-niet", "text": "x"}).status_code == 404
    response = manager_client.post(save, {"code": "goal", "text": "x" * 5001, "original": ""}, headers=HTMX)
    assert response.status_code == 422 and not QuestionConclusion.objects.exists()


def action_data(owner, due, **extra):
    return {
        "code": "goal",
        "description": "Marktonderzoek KNO-artsen",
        "owner": owner.pk,
        "due_date": due,
    } | extra


def test_an_action_is_added_to_a_question_and_shown_there(manager_client, org, agreement, parties):
    create = url("questions_action_create", org, agreement.pk)
    response = manager_client.post(create, action_data(parties[1], in_days(14).isoformat()), headers=HTMX)
    assert response.status_code == 200 and "Marktonderzoek KNO-artsen" in response.text
    action = FollowUpAction.objects.get()
    assert (action.code, action.owner, action.due_date) == ("goal", parties[1], in_days(14))
    response = manager_client.post(
        create, action_data(parties[0], in_days(0).isoformat(), code="", description="Intentieverklaring")
    )
    assert response.status_code == 302 and response.url.endswith("#actions-general")
    html = manager_client.get(url("questions_compare", org, agreement.pk)).text
    goal = html[html.index('id="q-goal"') : html.index('id="q-own-contribution"')]
    general = html[html.index('id="q-general"') :]
    assert "Marktonderzoek KNO-artsen" in goal and "Intentieverklaring" in general


def test_a_bad_action_is_refused_with_the_reason_and_nothing_is_made(
    manager_client, org, owner, agreement, parties
):
    other = services.agreement_create(
        organisation=org,
        actor=owner,
        title="Ander verband",
        partners=[PartnerFactory(organisation=org)],
        kind="structural",
    )
    stranger_party = other.parties.first()
    create = url("questions_action_create", org, agreement.pk)
    cases = [
        (action_data(parties[1], in_days(-1).isoformat()), "Die datum is al voorbij"),
        (
            action_data(stranger_party, in_days(3).isoformat()),
            "Kies een van de partijen van deze overeenkomst.",
        ),
        (
            action_data(parties[1], in_days(3).isoformat(), description="  "),
            "Beschrijf wat er moet gebeuren.",
        ),
        (action_data(parties[1], "morgen"), "Geef een datum"),
    ]
    for data, reason in cases:
        response = manager_client.post(create, data, headers=HTMX)
        assert response.status_code == 422 and reason in response.text
        response = manager_client.post(create, data)  # without JavaScript: the whole page, the form kept
        assert response.status_code == 422 and reason in response.text
        assert 'value="Marktonderzoek KNO-artsen"' in response.text or data["description"].strip() == ""
    assert not FollowUpAction.objects.exists()
    with pytest.raises(actions.ActionInvalid):
        actions.action_create(
            agreement=agreement, actor=owner, description="x", owner=stranger_party, due_date=in_days(1)
        )


def test_an_action_is_done_reopened_and_deleted_after_confirming(manager_client, org, agreement, parties):
    action = actions.action_create(
        agreement=agreement,
        actor=None,
        description="Contract laten lezen",
        owner=parties[1],
        due_date=in_days(5),
    )
    done = url("questions_action_done", org, agreement.pk, action.pk)
    response = manager_client.post(done, headers=HTMX)
    assert response.status_code == 200 and "<s>Contract laten lezen</s>" in response.text
    action.refresh_from_db()
    first = action.done_at
    manager_client.post(done)  # a second click changes nothing
    action.refresh_from_db()
    assert action.done_at == first is not None
    manager_client.post(url("questions_action_reopen", org, agreement.pk, action.pk))
    action.refresh_from_db()
    assert action.done_at is None

    delete = url("questions_action_delete", org, agreement.pk, action.pk)
    confirm = manager_client.get(delete)
    assert confirm.status_code == 200 and "Contract laten lezen" in confirm.text
    assert FollowUpAction.objects.exists()  # asking is not doing
    assert manager_client.post(delete).status_code == 302
    assert not FollowUpAction.objects.exists()
    assert AuditEntry.objects.filter(object_type="agreements.followupaction", action="delete").exists()


# The agreement page and the dashboard


def test_the_card_takes_three_queries_whatever_the_parties_and_actions(
    agreement, parties, django_assert_num_queries
):
    for party in parties:
        answer_all(sheets.sheet_for(party=party))
    for number in range(7):
        actions.action_create(
            agreement=agreement,
            actor=None,
            description=f"Actie {number}",
            owner=parties[number % 3],
            due_date=in_days(number),
        )
    with django_assert_num_queries(3):
        card = selectors.card(agreement)
        names = [row["party"].name for row in card["rows"]] + [a.owner.name for a in card["open_actions"]]
    assert names[:3] == ["Tinnitracks", "Sennheiser", "Innovatiefonds"]
    assert card["open_action_count"] == 7 and len(card["open_actions"]) == 5
    assert [row["progress"]["answered"] for row in card["rows"]] == [10, 10, 10]


def test_the_agreement_page_card_shows_progress_and_open_actions(manager_client, org, agreement, parties):
    sheet = sheets.sheet_for(party=parties[1])
    answers.answer_save(sheet=sheet, code="goal", text="Doel")
    actions.action_create(
        agreement=agreement, actor=None, description="Offerte opvragen", owner=parties[2], due_date=in_days(2)
    )
    done = actions.action_create(
        agreement=agreement, actor=None, description="Kennismaken", owner=parties[2], due_date=in_days(1)
    )
    actions.action_done(action=done, actor=None)
    html = manager_client.get(agreement.get_absolute_url()).text
    card = html[html.index('id="ten-questions"') :]
    assert "1 van 10 beantwoord" in card and "niet begonnen" in card
    assert "1 open vervolgactie" in card and "Offerte opvragen" in card and "Kennismaken" not in card


def test_the_dashboard_shows_open_actions_due_within_a_week_or_overdue(
    manager_client, org, other_org, owner, agreement, parties, django_assert_max_num_queries
):
    def make(description, days, owner_party=parties[1], on=agreement):
        action = FollowUpAction.objects.create(
            agreement=on, description=description, owner=owner_party, due_date=in_days(days)
        )
        return action

    make("Binnenkort af", 3)
    make("Al te laat", -2)
    make("Ver weg", 30)
    actions.action_done(action=make("Al gedaan", 1), actor=None)
    foreign = services.agreement_create(
        organisation=other_org,
        actor=None,
        title="Vreemd",
        partners=[PartnerFactory(organisation=other_org)],
        kind="structural",
    )
    make("Van een ander", 1, owner_party=foreign.parties.first(), on=foreign)

    with django_assert_max_num_queries(30) as few:
        page = manager_client.get(reverse("dashboard", args=[org.slug])).text
    html = page[
        page.index('class="dashboard-actions"') : page.index("</article>", page.index("dashboard-actions"))
    ]
    assert "Binnenkort af" in html and "Al te laat" in html and "te laat</span>" in html
    assert "Ver weg" not in html and "Al gedaan" not in html and "Van een ander" not in html
    assert "Tinnitracks-alliantie" in html and "Sennheiser" in html
    assert url("questions_compare", org, agreement.pk) in html

    for number in range(5):
        make(f"Nog een {number}", 1, owner_party=parties[number % 3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(reverse("dashboard", args=[org.slug]))


# Viewers and other organisations


def test_a_viewer_reads_everything_but_every_change_is_refused(
    viewer_client, org, agreement, parties, linked
):
    sheet, token = linked
    answers.answer_save(sheet=sheet, code="goal", text="Doel van Sennheiser")
    action = actions.action_create(
        agreement=agreement, actor=None, description="Bellen", owner=parties[1], due_date=in_days(3)
    )
    compare = viewer_client.get(url("questions_compare", org, agreement.pk))
    assert compare.status_code == 200 and "Doel van Sennheiser" in compare.text and "Bellen" in compare.text
    assert "<textarea" not in compare.text and "Actie toevoegen" not in compare.text
    overview = viewer_client.get(url("questions", org, agreement.pk)).text
    assert "Link maken om te kopiëren" not in overview and "Antwoorden lezen" in overview
    sheet_page = viewer_client.get(url("questions_answer", org, agreement.pk, parties[1].pk)).text
    assert "Doel van Sennheiser" in sheet_page and "<textarea" not in sheet_page

    posts = [
        (url("questions_link", org, agreement.pk, parties[1].pk), {}),
        (url("questions_send", org, agreement.pk, parties[1].pk), {"email": "x@example.nl"}),
        (url("questions_revoke", org, agreement.pk, parties[1].pk), {}),
        (url("questions_answer", org, agreement.pk, parties[0].pk), {"goal": "x"}),
        (url("questions_answer_save", org, agreement.pk, parties[0].pk), {"goal": "x"}),
        (url("questions_conclusion", org, agreement.pk), {"code": "goal", "text": "x"}),
        (url("questions_action_create", org, agreement.pk), action_data(parties[1], in_days(3).isoformat())),
        (url("questions_action_done", org, agreement.pk, action.pk), {}),
        (url("questions_action_reopen", org, agreement.pk, action.pk), {}),
        (url("questions_action_delete", org, agreement.pk, action.pk), {}),
    ]
    for path, data in posts:
        assert viewer_client.post(path, data).status_code == 403, path
        assert viewer_client.post(path, data, headers=HTMX).status_code == 403, path
    assert viewer_client.get(url("questions_revoke", org, agreement.pk, parties[1].pk)).status_code == 403
    assert viewer_client.get(url("questions_action_delete", org, agreement.pk, action.pk)).status_code == 403
    sheet.refresh_from_db()
    assert sheet.is_usable and len(mail.outbox) == 0
    assert FollowUpAction.objects.get().done_at is None and not QuestionConclusion.objects.exists()
    assert list(QuestionAnswer.objects.values_list("text", flat=True)) == ["Doel van Sennheiser"]


def test_parties_and_actions_of_another_agreement_are_not_found(
    manager_client, org, owner, agreement, parties
):
    other = services.agreement_create(
        organisation=org,
        actor=owner,
        title="Ander verband",
        partners=[PartnerFactory(organisation=org)],
        kind="structural",
    )
    theirs = other.parties.first()
    action = actions.action_create(
        agreement=other, actor=None, description="x", owner=theirs, due_date=in_days(1)
    )
    assert manager_client.post(url("questions_link", org, agreement.pk, theirs.pk)).status_code == 404
    assert manager_client.post(url("questions_action_done", org, agreement.pk, action.pk)).status_code == 404
    assert manager_client.get(url("questions_action_delete", org, agreement.pk, action.pk)).status_code == 404


def test_a_new_conclusion_after_a_signature_makes_a_new_letter_of_intent(agreement, parties, owner):
    """The letter of intent states the conclusions, so a signed one is replaced when they change."""
    conclusions.conclusion_save(
        agreement=agreement, code=CODES[0], text="Samen de KNO-markt op.", actor=owner
    )
    version = versions.version_create(agreement=agreement, kind="intent", actor=owner)
    _request, token = sign_requests.sign_request_create(
        version=version, party=parties[1], signer_name="Katrin Vogel", actor=owner
    )
    signatures.sign(
        token=token, name="Katrin Vogel", confirmed=True, confirmed_hash=version.sha256, ip="192.0.2.1"
    )

    conclusions.conclusion_save(
        agreement=agreement, code=CODES[0], text="Eerst Duitsland, dan Nederland.", actor=owner
    )
    newest = signing_selectors.current_version(agreement, "intent")
    assert newest.number == 2 and newest.sha256 != version.sha256
    assert not newest.signatures.exists() and version.signatures.count() == 1
