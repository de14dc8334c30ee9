"""An autosave that does not arrive says so, keeps the answer on the screen and is sent again until it is
stored: the server (runserver on a SQLite file, as `make run` serves) is stopped for real half-way through
the checker survey and the ten questions, and started again on the same port and database. A save the
server refuses (trying again cannot help) says so and asks for a reload."""

import re

import pytest
from playwright.sync_api import expect

from tests.autosave_server import shared_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

# Retries come after 1, 2, 4, then every 5 seconds; the restart of the server may take long on a slow machine.
RETRIED_WITHIN_MS = 45_000


@pytest.fixture
def sqlite_server():
    return shared_server().for_a_test()


def not_from_the_stopped_server(errors):
    """Console errors other than the refused connections (and htmx's report of them) while it was down."""
    expected = ("ERR_CONNECTION_REFUSED", "htmx:sendError", "htmx:afterRequest")
    return [error for error in errors if not any(word in error for word in expected)]


def expect_not_saved(page, status, kind="retrying"):
    """The line says the save failed (and, for "retrying", that it will be tried again), in the page's
    language and in red; never "Opgeslagen"."""
    expect(status).not_to_have_text(re.compile("Opgeslagen"))
    text = page.locator("form[data-autosave]").get_attribute(f"data-autosave-{kind}")
    assert text and "Opgeslagen" not in text
    expect(status).to_have_text(text)
    expect(status).to_have_class(re.compile(r"\bfield-error\b"))


def tap(page, field, value):
    page.locator(f"label:has(input[name='{field}'][value='{value}'])").click()


def test_a_survey_answer_that_cannot_be_saved_says_so_stays_chosen_and_is_saved_later(
    page, sqlite_server, browser_errors
):
    survey = sqlite_server.take_survey()
    first, second = (f"s{statement}" for statement in survey["statements"][:2])
    page.goto(sqlite_server.url + survey["path"])
    tap(page, first, 2)
    expect(page.locator(f"#status-{first}")).to_have_text("Opgeslagen")

    sqlite_server.stop()
    tap(page, first, 5)
    tap(page, second, 3)
    for field, value in ((first, 5), (second, 3)):
        expect_not_saved(page, page.locator(f"#status-{field}"))
        expect(page.locator(f"input[name='{field}'][value='{value}']")).to_be_checked()
    page.wait_for_timeout(1_500)  # a retry or two, into the closed port
    expect_not_saved(page, page.locator(f"#status-{first}"))
    assert sqlite_server.survey_stored(survey) == {first: 2, "grade": None}

    sqlite_server.start()
    for field in (first, second):
        expect(page.locator(f"#status-{field}")).to_have_text("Opgeslagen", timeout=RETRIED_WITHIN_MS)
    expect(page.locator("#survey-progress")).to_contain_text("2 van 18 beantwoord")
    assert sqlite_server.survey_stored(survey) == {first: 5, second: 3, "grade": None}
    page.reload()
    expect(page.locator(f"input[name='{first}'][value='5']")).to_be_checked()
    expect(page.locator(f"input[name='{second}'][value='3']")).to_be_checked()
    assert sqlite_server.server_errors() == []
    assert not_from_the_stopped_server(browser_errors) == []


def test_a_text_that_cannot_be_saved_says_so_stays_and_is_saved_later(page, sqlite_server, browser_errors):
    sheet = sqlite_server.take_sheet()
    page.goto(sqlite_server.url + sheet["path"])
    goal = page.locator("#answer-goal")
    goal.fill("Samen 20 KNO-praktijken")
    goal.blur()
    expect(page.locator("#status-goal")).to_have_text(re.compile(r"^Opgeslagen om "))

    sqlite_server.stop()
    goal.press("End")
    goal.press_sequentially(" vóór 1 juli 2027")
    goal.blur()
    expect_not_saved(page, page.locator("#status-goal"))
    page.wait_for_timeout(1_500)
    expect_not_saved(page, page.locator("#status-goal"))
    expect(goal).to_have_value("Samen 20 KNO-praktijken vóór 1 juli 2027")
    assert sqlite_server.sheet_stored(sheet) == {"goal": "Samen 20 KNO-praktijken"}

    sqlite_server.start()
    expect(page.locator("#status-goal")).to_have_text(
        re.compile(r"^Opgeslagen om "), timeout=RETRIED_WITHIN_MS
    )
    assert sqlite_server.sheet_stored(sheet) == {"goal": "Samen 20 KNO-praktijken vóór 1 juli 2027"}
    page.reload()
    expect(goal).to_have_value("Samen 20 KNO-praktijken vóór 1 juli 2027")
    assert sqlite_server.server_errors() == []
    assert not_from_the_stopped_server(browser_errors) == []


def test_a_refused_save_says_so_is_not_sent_again_and_works_after_a_reload(
    page, sqlite_server, browser_errors
):
    survey = sqlite_server.take_survey()
    field = f"s{survey['statements'][0]}"
    page.goto(sqlite_server.url + survey["path"])
    page.context.clear_cookies()  # the CSRF cookie is gone (cleared by the browser): saves are refused

    tap(page, field, 4)
    expect_not_saved(page, page.locator(f"#status-{field}"), kind="failed")
    expect(page.locator(f"input[name='{field}'][value='4']")).to_be_checked()
    page.wait_for_timeout(2_500)  # a retry would have come by now
    refused = [line for line in sqlite_server.log_lines() if '"POST ' in line and '" 403 ' in line]
    assert len(refused) == 1, refused
    assert sqlite_server.survey_stored(survey) == {"grade": None}

    page.reload()  # as the line says: a new page, with a new cookie
    tap(page, field, 4)
    expect(page.locator(f"#status-{field}")).to_have_text("Opgeslagen")
    assert sqlite_server.survey_stored(survey) == {field: 4, "grade": None}
    assert [error for error in browser_errors if "403" not in error and "htmx:" not in error] == []
