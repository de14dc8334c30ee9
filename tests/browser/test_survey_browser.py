"""The public survey on a phone: answer half of it, reload, find the answers kept, finish and submit."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checker import services
from checker.models import Answer
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory, PartnerFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def invitation(transactional_db):
    services.standard_statements_restore()  # an earlier browser test's flush emptied the table
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks")
    owner = MembershipFactory(organisation=org, user__email="renske@tinnitracks.example").user
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=partner, name="Katrin Vogel", email="katrin@sennheiser.example")
    collaboration = services.collaboration_create(
        organisation=org, actor=owner, name="Tinnitracks-alliantie", partners=[partner]
    )
    round_ = services.round_create(
        collaboration=collaboration,
        actor=owner,
        name="Voorjaar",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )
    return round_.invitations.get(name="Katrin Vogel")


def a_save(response):
    return response.request.method == "POST" and response.url.endswith(("/answer/", "/grade/"))


def choose(page, fieldset, value):
    """Tap a score the way a thumb does: on its visible label."""
    with page.expect_response(a_save):
        fieldset.locator("label", has_text=str(value)).filter(
            has=page.locator(f"input[value='{value}']")
        ).click()


def test_answer_on_a_phone_reload_half_way_and_submit(page, live_server, invitation, browser_errors):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{invitation.get_survey_url()}")
    items = page.locator("fieldset.survey-item")
    expect(items).to_have_count(18)
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    for index in range(8):
        choose(page, items.nth(index), index % 5 + 1)
    expect(page.locator("#survey-progress")).to_contain_text("8 van 18 beantwoord")

    page.reload()
    items = page.locator("fieldset.survey-item")
    for index in range(8):
        expect(items.nth(index).locator(f"input[value='{index % 5 + 1}']")).to_be_checked()
    expect(page.locator("#survey-progress")).to_contain_text("8 van 18 beantwoord")
    assert Answer.objects.filter(invitation=invitation).count() == 8

    for index in range(8, 17):
        choose(page, items.nth(index), 4)
    choose(page, page.locator("#q-grade"), 7)
    expect(page.locator("#survey-progress")).to_contain_text("18 van 18 beantwoord")

    page.get_by_role("button", name="Mijn antwoorden indienen").click()
    expect(page.locator(".message-success")).to_contain_text("Bedankt")
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None and invitation.grade == 7
    assert Answer.objects.filter(invitation=invitation).count() == 17
    assert browser_errors == []
