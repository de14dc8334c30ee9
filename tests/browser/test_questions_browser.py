"""The ten basic questions in a real browser: a partner types an answer on a phone, sees it saved, reloads
and finds it; a manager saves a conclusion and adds a follow-up action on the side-by-side page in place."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agreements import services
from agreements.models import FollowUpAction, QuestionAnswer, QuestionConclusion
from agreements.questions import sheets
from partnerhub.models import Role
from tests.browser.conftest import log_in_as
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory, PartnerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PHONE = {"width": 390, "height": 844}
EMAIL = "renske@tinnitracks.example"


@pytest.fixture
def agreement(transactional_db):
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks")
    owner = MembershipFactory(organisation=org, role=Role.MANAGER, user__email=EMAIL).user
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=partner, name="Katrin Vogel", email="katrin@sennheiser.example")
    return services.agreement_create(
        organisation=org, actor=owner, title="Tinnitracks-alliantie", partners=[partner], kind="structural"
    )


def an_answer_saved(response):
    return response.request.method == "POST" and response.url.endswith("/answer/")


def test_type_an_answer_on_a_phone_reload_and_find_it(page, live_server, agreement, browser_errors):
    party = agreement.parties.get(partner__name="Sennheiser")
    _sheet, token = sheets.sheet_issue_link(party=party, actor=None)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/q/{token}/")
    expect(page.locator("textarea")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    goal = page.get_by_label("Formuleer allebei welk doel u met de samenwerking wilt bereiken", exact=False)
    with page.expect_response(an_answer_saved):
        goal.press_sequentially("Samen 20 KNO-praktijken vóór 1 juli 2027", delay=10)
    expect(page.locator("#status-goal")).to_contain_text("Opgeslagen om")
    expect(page.locator("#sheet-progress")).to_contain_text("1 van 10 beantwoord")

    page.reload()
    expect(goal).to_have_value("Samen 20 KNO-praktijken vóór 1 juli 2027")
    expect(page.locator("#sheet-progress")).to_contain_text("1 van 10 beantwoord")
    assert QuestionAnswer.objects.get(code="goal").text == "Samen 20 KNO-praktijken vóór 1 juli 2027"
    assert browser_errors == []


def test_a_conclusion_and_an_action_are_saved_in_place(page, live_server, agreement, browser_errors):
    log_in_as(page, live_server, EMAIL, landing=r"/o/tinnitracks/$")
    page.goto(f"{live_server.url}/o/tinnitracks/agreements/{agreement.pk}/questions/compare/")
    question = page.locator("#q-goal")

    conclusion = question.get_by_label("Afgesproken conclusie")
    conclusion.fill("Samen 20 praktijken in 2027")
    with page.expect_response(lambda response: response.url.endswith("/conclusions/")):
        question.get_by_role("button", name="Conclusie opslaan").click()
    expect(page.locator("#conclusion-status-goal")).to_contain_text("Opgeslagen om")

    question.get_by_text("Vervolgactie toevoegen").click()
    question.get_by_label("Actie").fill("Marktonderzoek onder KNO-artsen")
    question.get_by_label("Wie doet het").select_option(label="Sennheiser")
    due = timezone.localdate() + datetime.timedelta(days=10)
    question.get_by_label("Klaar op").fill(due.isoformat())
    with page.expect_response(lambda response: response.url.endswith("/actions/")):
        question.get_by_role("button", name="Actie toevoegen").click()
    expect(page.locator("#actions-goal li")).to_contain_text("Marktonderzoek onder KNO-artsen")

    page.reload()  # both were stored, not just shown
    expect(page.locator("#conclusion-goal")).to_have_value("Samen 20 praktijken in 2027")
    assert QuestionConclusion.objects.get(code="goal").text == "Samen 20 praktijken in 2027"
    action = FollowUpAction.objects.get()
    assert (action.code, action.owner.name, action.due_date) == ("goal", "Sennheiser", due)
    assert browser_errors == []
