"""Twenty autosaves of one sheet of the ten questions at the same moment, from real threads over real HTTP:
none fails, each answer holds one of the texts sent for it, and a save made after them wins.

Against runserver on a SQLite file (the `make run` setup, where overlapping saves used to fail with
"database is locked") and, when the tests run on Postgres, against `live_server` on it.
"""

import pytest
from django.db import connection

from tests import autosave_server
from tests.autosave_server import Respondent, all_at_once, shared_server

REQUESTS = 20


@pytest.fixture
def sqlite_server():
    return shared_server().for_a_test()


def save_at_once_then_once_more(base_url, sheet, stored):
    """Fire the 20 saves together over four questions (five texts each), check the answers, then save
    each answer once more and return what is stored."""
    respondent = Respondent(base_url, sheet["path"])
    answer = sheet["path"] + "answer/"
    codes = sheet["codes"][:4]
    saves = [(codes[index % 4], f"{codes[index % 4]}: versie {index // 4 + 1}") for index in range(REQUESTS)]

    results = all_at_once(
        [lambda code=code, text=text: respondent.post(answer, {code: text}) for code, text in saves]
    )
    assert [result[0] for result in results] == [200] * REQUESTS, results
    assert all("Opgeslagen om" in body for _status, body in results)
    after_burst = stored()
    assert set(after_burst) == set(codes)
    for code in codes:
        assert after_burst[code] in {text for name, text in saves if name == code}

    final = {code: f"{code}: wat we afspreken" for code in codes}
    for code, text in final.items():
        status, body = respondent.post(answer, {code: text})
        assert status == 200 and "Opgeslagen om" in body
        assert "4 van 10 beantwoord" in body
    return stored(), final


def test_twenty_saves_of_one_sheet_at_once_on_a_sqlite_file(sqlite_server):
    sheet = sqlite_server.take_sheet()
    after, final = save_at_once_then_once_more(
        sqlite_server.url, sheet, lambda: sqlite_server.sheet_stored(sheet)
    )
    assert after == final
    assert sqlite_server.server_errors() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the Postgres variant (SQLite: the test above)")
@pytest.mark.django_db(transaction=True)
def test_twenty_saves_of_one_sheet_at_once_on_postgres(live_server):
    [sheet] = autosave_server.question_sheets(1)
    after, final = save_at_once_then_once_more(
        live_server.url, sheet, lambda: autosave_server.sheet_stored(sheet=sheet["sheet"])
    )
    assert after == final
