"""The cell counter in a real browser: it counts as you type, warns past what fits a printed cell, and a
pasted text longer than that is kept whole, refused by the server with the reason, then shortened, saved."""

import pytest
from playwright.sync_api import expect

from matrix.models import CELL_MAX_LENGTH, MatrixRow
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
        matrix__organisation=org, matrix__name="Workshop", partner__name="Sennheiser", brings_channels=""
    )


def test_the_counter_follows_the_text_and_a_long_paste_is_refused_whole(
    page, live_server, row, browser_errors
):
    log_in_as(page, live_server, EMAIL, landing=r"/o/tinnitracks/$")
    page.goto(f"{live_server.url}{row.matrix.get_absolute_url()}")
    cell = page.locator(f"#cell-{row.pk}-brings_channels")
    cell.click()
    editor = page.locator(f"#cell-input-{row.pk}-brings_channels")
    expect(editor).to_be_focused()
    count = cell.locator("[data-cell-count]")
    warning = cell.locator("[data-cell-too-long]")
    expect(count).to_have_text("0")

    page.keyboard.type("Webshop")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("  Winkels  ")
    expect(count).to_have_text("15")  # as saved: "Webshop\nWinkels"
    expect(warning).to_be_hidden()

    too_long = "a" * (CELL_MAX_LENGTH + 20)
    editor.fill(too_long)  # a paste: nothing is cut off
    expect(count).to_have_text(str(CELL_MAX_LENGTH + 20))
    expect(warning).to_be_visible()
    with page.expect_response(a_save) as refused:
        page.keyboard.press("Enter")
    assert refused.value.status == 422
    expect(cell.locator(".cell-error[role=status]")).to_contain_text(str(CELL_MAX_LENGTH + 20))
    expect(page.locator(f"#cell-input-{row.pk}-brings_channels")).to_have_value(too_long)
    assert MatrixRow.objects.get(pk=row.pk).brings_channels == ""

    # The refusal came back as a new editor: type into it once htmx has settled it and given it the focus.
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    editor = page.locator(f"#cell-input-{row.pk}-brings_channels")
    expect(editor).to_be_focused()
    editor.fill("a" * CELL_MAX_LENGTH)
    expect(cell.locator("[data-cell-too-long]")).to_be_hidden()
    with page.expect_response(a_save):
        page.keyboard.press("Enter")
    expect(cell.locator("li")).to_have_text(["a" * CELL_MAX_LENGTH])
    assert MatrixRow.objects.get(pk=row.pk).brings_channels == "a" * CELL_MAX_LENGTH
    # The browser logs the refused save (422) as a failed resource; nothing else may go wrong.
    assert [error for error in browser_errors if "422" not in error] == []
