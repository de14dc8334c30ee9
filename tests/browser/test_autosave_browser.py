"""Answering at full speed loses nothing: every answer of the checker survey and of the ten questions is
given, changed and changed again as fast as the browser can click and type, without waiting for a save.
No answer's line may say "Opgeslagen" while a newer answer is still on its way; in the end every line says
it, and after a reload every last choice is there and stored.

Run against runserver on a SQLite file (the `make run` setup, where quick input used to end in "database
is locked" and lost answers), and on Postgres through `live_server` when the tests run on Postgres.
"""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests import autosave_server
from tests.autosave_server import shared_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

SAVED_SCORE = re.compile(r"^Opgeslagen$")
SAVED_TEXT = re.compile(r"^Opgeslagen om \d\d:\d\d$")

# Watches every autosave the page makes: when one comes back and its line says "Opgeslagen" while the
# answer on the screen is not what was saved (a newer one is still on its way), or the save failed, that
# is a false claim: leaving the page then loses the answer the user believes is stored.
CLAIM_WATCHER = """
window.falseClaims = [];
document.addEventListener("htmx:afterRequest", (event) => {
  const element = event.detail.elt;
  const formData = event.detail.requestConfig && event.detail.requestConfig.formData;
  if (!formData || !element.getAttribute("hx-target")) return;
  const sent = [...formData.values()].join();
  const failed = !event.detail.successful;
  setTimeout(() => {
    const status = document.querySelector(element.getAttribute("hx-target"));
    const checked = element.querySelector("input:checked");
    const shown = element.tagName === "TEXTAREA" ? element.value : (checked ? checked.value : "");
    if (status && status.textContent.trim().startsWith("Opgeslagen") && (failed || shown !== sent)) {
      window.falseClaims.push(`${status.id}: "${shown}" shown, "${sent}" sent, failed: ${failed}`);
    }
  }, 0);
});
"""

# All answers given twice within one moment (each answer's first save leaves while its second waits).
SURVEY_BURST = """(choices) => {
  const items = document.querySelectorAll("fieldset.survey-item");
  for (const round of [0, 1]) {
    items.forEach((item, index) => item.querySelector(`input[value='${choices[index][round]}']`).click());
  }
}"""
SHEET_BURST = """(codes) => {
  for (const version of ["eerste versie", "tweede versie"]) {
    for (const code of codes) {
      const field = document.getElementById(`answer-${code}`);
      field.value = `${code}: ${version}`;
      field.dispatchEvent(new Event("input", {bubbles: true}));
      field.dispatchEvent(new Event("change", {bubbles: true}));
    }
  }
}"""


@pytest.fixture
def sqlite_server():
    return shared_server().for_a_test()


def choices(number, high):
    """The three choices given to answer `number`: each differs from the one before."""
    return [(number + round_ * 2) % high + 1 for round_ in range(3)]


def answer_the_survey_at_full_speed(page, url, survey):
    """Every answer chosen three times: twice in one burst, then once more by a tap on its label without
    waiting for any save. Returns the last choices."""
    page.add_init_script(CLAIM_WATCHER)
    page.goto(url)
    items = page.locator("fieldset.survey-item")
    expect(items).to_have_count(len(survey["statements"]) + 1)
    fields = [f"s{statement}" for statement in survey["statements"]] + ["grade"]
    given = [choices(index, 10 if field == "grade" else 5) for index, field in enumerate(fields)]
    page.evaluate(SURVEY_BURST, given)
    for index, _field in enumerate(fields):
        items.nth(index).locator(f"label:has(input[value='{given[index][2]}'])").click()
    last = {field: given[index][2] for index, field in enumerate(fields)}

    for field in fields:
        expect(page.locator(f"#status-{field}")).to_have_text(SAVED_SCORE, timeout=30_000)
    expect(page.locator("#survey-progress")).to_contain_text("18 van 18 beantwoord")
    assert page.evaluate("window.falseClaims") == []

    page.reload()
    for field, value in last.items():
        expect(page.locator(f"input[name='{field}'][value='{value}']")).to_be_checked()
    return last


def answer_the_sheet_at_full_speed(page, url, sheet):
    """Every answer written twice in one burst, then typed on by keyboard without waiting for any save.
    Returns the last texts."""
    page.add_init_script(CLAIM_WATCHER)
    page.goto(url)
    fields = page.locator("textarea")
    expect(fields).to_have_count(len(sheet["codes"]))
    page.evaluate(SHEET_BURST, sheet["codes"])
    for index, _code in enumerate(sheet["codes"]):
        fields.nth(index).press("End")
        fields.nth(index).press_sequentially(" en klaar")
    page.locator("h1").click()  # leave the last field
    last = {code: f"{code}: tweede versie en klaar" for code in sheet["codes"]}

    for code in sheet["codes"]:
        expect(page.locator(f"#status-{code}")).to_have_text(SAVED_TEXT, timeout=30_000)
    expect(page.locator("#sheet-progress")).to_contain_text("10 van 10 beantwoord")
    assert page.evaluate("window.falseClaims") == []

    page.reload()
    for index, code in enumerate(sheet["codes"]):
        expect(fields.nth(index)).to_have_value(last[code])
    return last


def test_survey_answered_at_full_speed_keeps_every_last_choice_on_a_sqlite_file(
    page, sqlite_server, browser_errors
):
    survey = sqlite_server.take_survey()
    last = answer_the_survey_at_full_speed(page, sqlite_server.url + survey["path"], survey)
    assert sqlite_server.survey_stored(survey) == last
    assert sqlite_server.server_errors() == []
    assert browser_errors == []


def test_ten_questions_typed_at_full_speed_keep_every_last_text_on_a_sqlite_file(
    page, sqlite_server, browser_errors
):
    sheet = sqlite_server.take_sheet()
    last = answer_the_sheet_at_full_speed(page, sqlite_server.url + sheet["path"], sheet)
    assert sqlite_server.sheet_stored(sheet) == last
    assert sqlite_server.server_errors() == []
    assert browser_errors == []


on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the Postgres variant (SQLite: the file-database tests above)"
)


@on_postgres
def test_survey_answered_at_full_speed_keeps_every_last_choice_on_postgres(
    page, live_server, transactional_db, browser_errors
):
    [survey] = autosave_server.survey_invitations(1)
    last = answer_the_survey_at_full_speed(page, live_server.url + survey["path"], survey)
    assert autosave_server.survey_stored(invitation=survey["invitation"]) == last
    assert browser_errors == []


@on_postgres
def test_ten_questions_typed_at_full_speed_keep_every_last_text_on_postgres(
    page, live_server, transactional_db, browser_errors
):
    [sheet] = autosave_server.question_sheets(1)
    last = answer_the_sheet_at_full_speed(page, live_server.url + sheet["path"], sheet)
    assert autosave_server.sheet_stored(sheet=sheet["sheet"]) == last
    assert browser_errors == []
