"""Editing the value matrix in a real browser, with the keyboard only: open a cell with Enter, type two items
(Shift+Enter between them), save with Enter, reload and see them; Escape throws an edit away."""

import pytest
from playwright.sync_api import expect

from matrix.models import MatrixRow
from partnerhub.models import Role
from tests.browser.conftest import log_in_as
from tests.factories import MatrixRowFactory, MembershipFactory, OrganisationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

EMAIL = "sanne@tinnitracks.example"


def a_save(response):
    return "/cell/" in response.url and response.request.method == "POST"


@pytest.fixture
def row(transactional_db):
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks")
    MembershipFactory(organisation=org, role=Role.MANAGER, user__email=EMAIL)
    return MatrixRowFactory(
        matrix__organisation=org,
        matrix__name="Workshop",
        partner__name="Sennheiser",
        brings_resources="",
        gets_money="",
    )


def test_edit_a_cell_with_the_keyboard_and_see_it_after_a_reload(page, live_server, row, browser_errors):
    log_in_as(page, live_server, EMAIL, landing=r"/o/tinnitracks/$")
    page.goto(f"{live_server.url}{row.matrix.get_absolute_url()}")
    cell = page.locator(f"#cell-{row.pk}-brings_channels")

    cell.focus()
    page.keyboard.press("Enter")
    editor = page.locator(f"#cell-input-{row.pk}-brings_channels")
    expect(editor).to_be_focused()
    page.keyboard.type("Audiospeciaalzaken")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Webshop")
    with page.expect_response(a_save):
        page.keyboard.press("Enter")
    expect(cell.locator("li")).to_have_text(["Audiospeciaalzaken", "Webshop"])
    expect(page.locator(f"#row-{row.pk}-head")).to_contain_text("brengt 1/4 · haalt 0/4")

    page.reload()
    expect(page.locator(f"#cell-{row.pk}-brings_channels li")).to_have_text(["Audiospeciaalzaken", "Webshop"])
    assert MatrixRow.objects.get(pk=row.pk).brings_channels == "Audiospeciaalzaken\nWebshop"

    # Escape cancels: the typed text is thrown away, the saved items stay.
    page.locator(f"#cell-{row.pk}-brings_channels").click()
    expect(editor).to_be_focused()
    page.keyboard.type(" en nog iets")
    page.keyboard.press("Escape")
    expect(page.locator(f"#cell-{row.pk}-brings_channels li")).to_have_text(["Audiospeciaalzaken", "Webshop"])
    assert MatrixRow.objects.get(pk=row.pk).brings_channels == "Audiospeciaalzaken\nWebshop"

    # Leaving a cell saves it: a click elsewhere moves the focus out of the editor.
    page.locator(f"#cell-{row.pk}-gets_money").click()
    expect(page.locator(f"#cell-input-{row.pk}-gets_money")).to_be_focused()
    page.keyboard.type("Marge")
    with page.expect_response(a_save):
        page.locator("h1").click()
    expect(page.locator(f"#cell-{row.pk}-gets_money li")).to_have_text(["Marge"])
    assert browser_errors == []
