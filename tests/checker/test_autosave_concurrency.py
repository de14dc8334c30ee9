"""Twenty autosaves of one survey at the same moment, from real threads over real HTTP: none fails, each
answer holds one of the scores sent for it, and a save made after them wins.

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


def save_at_once_then_once_more(base_url, survey, stored):
    """Fire the 20 saves together over three statements and the grade (five values each), check the
    answers, then save each answer once more and return what is stored."""
    respondent = Respondent(base_url, survey["path"])
    answer, grade = survey["path"] + "answer/", survey["path"] + "grade/"
    fields = [f"s{statement}" for statement in survey["statements"][:3]] + ["grade"]
    saves = [(fields[index % 4], index // 4 + 1) for index in range(REQUESTS)]

    results = all_at_once(
        [
            lambda field=field, value=value: respondent.post(
                grade if field == "grade" else answer, {field: value}
            )
            for field, value in saves
        ]
    )
    assert [result[0] for result in results] == [200] * REQUESTS, results
    assert all("Opgeslagen" in body for _status, body in results)
    after_burst = stored()
    for field in fields:
        assert after_burst[field] in {value for name, value in saves if name == field}

    final = {fields[0]: 2, fields[1]: 4, fields[2]: 1, "grade": 9}
    for field, value in final.items():
        status, body = respondent.post(grade if field == "grade" else answer, {field: value})
        assert status == 200 and "Opgeslagen" in body
        assert "4 van 18 beantwoord" in body
    return stored(), final


def test_twenty_saves_of_one_survey_at_once_on_a_sqlite_file(sqlite_server):
    survey = sqlite_server.take_survey()
    after, final = save_at_once_then_once_more(
        sqlite_server.url, survey, lambda: sqlite_server.survey_stored(survey)
    )
    assert after == final
    assert sqlite_server.server_errors() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the Postgres variant (SQLite: the test above)")
@pytest.mark.django_db(transaction=True)
def test_twenty_saves_of_one_survey_at_once_on_postgres(live_server):
    [survey] = autosave_server.survey_invitations(1)
    after, final = save_at_once_then_once_more(
        live_server.url,
        survey,
        lambda: autosave_server.survey_stored(invitation=survey["invitation"]),
    )
    assert after == final
