"""PartnerHub served the way `make run` serves it — `manage.py runserver` (a thread per request) on a SQLite
file — in a process of its own on a free port, for tests in which requests really overlap.

One server serves the whole test run (`shared_server()`). The tests' own database (in memory, or
Postgres) is not the server's: its database file is migrated and given a few checker surveys and question
sheets by the functions at the bottom (with the product's services); each test takes a survey or sheet of
its own and reads what the server stored straight from the file (`server.survey_stored(survey)`). The
Postgres variants call the same functions against the test database.
"""

import atexit
import functools
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = str(ROOT / "manage.py")
# What would take the server away from the `make run` defaults (SQLite, Celery without a broker).
NOT_MAKE_RUN = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
START_SECONDS = 60


def _environment(database):
    env = {name: value for name, value in os.environ.items() if name not in NOT_MAKE_RUN}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="1",  # as under `make run`: runserver serves the static files (htmx, our scripts)
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "partnerhub.settings"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def _run(arguments, database, timeout=180):
    result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, *arguments],
        cwd=ROOT,
        env=_environment(database),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{arguments[:2]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# Each test takes a survey and a sheet of its own; a few to spare.
PER_KIND = 5
SEED = "import django; django.setup(); from tests.autosave_server import seed; seed()"


def seed():
    """In the server's settings: migrate its database, make the surveys and sheets, print them as JSON."""
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=0)
    data = {"surveys": survey_invitations(PER_KIND), "sheets": question_sheets(PER_KIND)}
    connections.close_all()  # folds the write-ahead log into the file
    print(json.dumps(data))


@functools.cache
def _folder():
    folder = Path(tempfile.mkdtemp(prefix="partnerhub-served-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SqliteServer:
    """runserver on a migrated and seeded database file at `url`. `stop()` and `start()` take it away and
    bring it back on the same port and database."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.database = self.folder / "db.sqlite3"
        output = _run(["-c", SEED], self.database)
        data = json.loads(output.strip().splitlines()[-1])
        self.surveys, self.sheets = data["surveys"], data["sheets"]
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.folder / "runserver.log"
        self.log_start = 0
        self.process = None

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self):
        log = self.log_path.open("a")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, MANAGE, "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=_environment(self.database),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"runserver stopped:\n{self.log()}")
            try:
                urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=5).close()  # noqa: S310
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"runserver did not answer within {START_SECONDS} s:\n{self.log()}")

    def stop(self):
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def for_a_test(self):
        """Running (a test that stopped it may have failed before starting it again), and its log read
        from here on by `server_errors`."""
        if not self.running:
            self.start()
        self.log_start = len(self.log())
        return self

    def take_survey(self):
        return self.surveys.pop()

    def take_sheet(self):
        return self.sheets.pop()

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def log_lines(self):
        """runserver's log since `for_a_test`, by line."""
        return self.log()[self.log_start :].splitlines()

    def server_errors(self):
        """The lines of runserver's log since `for_a_test` that report a 5xx answer or a traceback."""
        return [
            line
            for line in self.log_lines()
            if '" 5' in line or "Traceback" in line or "database is locked" in line
        ]

    def query(self, sql, *parameters):
        with closing(sqlite3.connect(self.database, timeout=20)) as database:
            return database.execute(sql, parameters).fetchall()

    def survey_stored(self, survey):
        """What the server stored of a survey, as `survey_stored` gives it."""
        invitation = survey["invitation"]
        answers = self.query(
            "SELECT statement_id, score FROM checker_answer WHERE invitation_id = ?", invitation
        )
        stored = {f"s{statement}": score for statement, score in answers}
        [(stored["grade"],)] = self.query("SELECT grade FROM checker_invitation WHERE id = ?", invitation)
        return stored

    def sheet_stored(self, sheet):
        """What the server stored of a question sheet, as `sheet_stored` gives it."""
        rows = self.query(
            "SELECT code, text FROM agreements_questionanswer WHERE sheet_id = ?", sheet["sheet"]
        )
        return dict(rows)


@functools.cache
def shared_server():
    """The one server of this test run (started once: about 10 s to migrate and seed, 2 s to start),
    stopped when the run ends."""
    server = SqliteServer(_folder())
    atexit.register(server.stop)
    server.start()
    return server


# The data of the tests, made with the product's services; what a test needs, as JSON.


def survey_invitations(count):
    """An open checker round of the 17 standard statements with `count` respondents of one partner: their
    surveys."""
    import datetime

    from django.utils import timezone

    from checker import services
    from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory, PartnerFactory

    services.standard_statements_restore()  # a flush of an earlier test (Postgres variants) emptied them
    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks-checker")
    owner = MembershipFactory(organisation=org, user__email="renske@checker.example").user
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    for number in range(1, count + 1):
        ContactFactory(
            partner=partner, name=f"Respondent {number}", email=f"respondent{number}@sennheiser.example"
        )
    collaboration = services.collaboration_create(
        organisation=org, actor=owner, name="Tinnitracks-alliantie", partners=[partner]
    )
    round_ = services.round_create(
        collaboration=collaboration,
        actor=owner,
        name="Voorjaar",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )
    statements = list(
        round_.round_statements.order_by("position", "pk").values_list("statement_id", flat=True)
    )
    return [
        {"path": invitation.get_survey_url(), "invitation": invitation.pk, "statements": statements}
        for invitation in round_.invitations.filter(partner=partner).order_by("pk")
    ]


def survey_stored(*, invitation):
    """What is stored of a respondent's survey: {"s<statement id>": score, ..., "grade": grade}."""
    from checker.models import Answer, Invitation

    stored = {
        f"s{statement}": score
        for statement, score in Answer.objects.filter(invitation_id=invitation).values_list(
            "statement_id", "score"
        )
    }
    stored["grade"] = Invitation.objects.values_list("grade", flat=True).get(pk=invitation)
    return stored


def question_sheets(count):
    """A new agreement with `count` partners: the sheets of their ten basic questions, reached with each
    sheet's link."""
    from agreements import services
    from agreements.questions.sheets import sheet_issue_link
    from agreements.questions.texts import CODES
    from partnerhub.models import Role
    from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory, PartnerFactory

    org = OrganisationFactory(name="Tinnitracks", slug="tinnitracks-agreements")
    owner = MembershipFactory(
        organisation=org, role=Role.MANAGER, user__email="renske@agreements.example"
    ).user
    partners = [PartnerFactory(organisation=org, name=f"Partner {number}") for number in range(1, count + 1)]
    for partner in partners:
        ContactFactory(
            partner=partner, name=f"Contact {partner.name}", email=f"contact{partner.pk}@partner.example"
        )
    agreement = services.agreement_create(
        organisation=org, actor=owner, title="Tinnitracks-alliantie", partners=partners, kind="structural"
    )
    sheets = []
    for party in agreement.parties.filter(partner__in=partners).order_by("position"):
        sheet, token = sheet_issue_link(party=party, actor=owner)
        sheets.append({"path": f"/q/{token}/", "sheet": sheet.pk, "codes": CODES})
    return sheets


def sheet_stored(*, sheet):
    """The stored answers of a sheet: {code: text}."""
    from agreements.models import QuestionAnswer

    return dict(QuestionAnswer.objects.filter(sheet_id=sheet).values_list("code", "text"))


# Saving from many threads at once, the way htmx sends an autosave.


class Respondent:
    """One browser's worth of HTTP: the public page's CSRF cookie and token, sent with every autosave along
    with htmx's header. Safe to share between threads (the cookie jar locks itself)."""

    def __init__(self, base_url, path):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        with self.opener.open(base_url + path, timeout=60) as response:
            page = response.read().decode()
        self.csrf_token = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]

    def post(self, path, fields):
        """(status, body) of an autosave of `fields`."""
        request = urllib.request.Request(  # noqa: S310 (our own server)
            self.base_url + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf_token},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def all_at_once(calls):
    """Run the callables on as many threads, released together; their results in order (an exception
    is returned as its result)."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=60)
            results[index] = call()
        except Exception as error:  # reported by the test that reads the results
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
