"""`make run` runs the whole product: `manage.py runstack` starts the web server, a Celery worker and the
scheduler on the embedded defaults (a SQLite file, tasks through a folder on disk), so scheduled work happens
without any server installed, and the three stop together.

The stack runs in processes of its own on a SQLite file in a temporary folder; the test seeds that file with a
checker round whose reminder is due and waits for the scheduler to hand the reminder to the worker, which
sends it to the console (the development mail backend) and records it.
"""

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.faults import free_port

ROOT = Path(__file__).resolve().parents[2]
NOT_MAKE_RUN = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_BACKEND", "EMAIL_HOST")
CONTACT = "katrin@sennheiser.example"
WAIT_SECONDS = 90


def make_run_environment(folder):
    env = {name: value for name, value in os.environ.items() if name not in NOT_MAKE_RUN}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        CELERY_FILESYSTEM_BROKER_DIR=str(folder / "broker"),
        DJANGO_DEBUG="1",
        DJANGO_SETTINGS_MODULE="partnerhub.settings",
        # The scheduler looks for due reminders every 2 s instead of every minute, to keep the test short.
        CHECKER_REMINDERS_EVERY_SECONDS="2",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


def seed():
    """In the stack's settings: migrate, then a round invited four days ago, so a reminder is due."""
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from checker import services
    from checker.models import Invitation
    from partnerhub.models import Membership, Organisation, Role, User
    from tests.factories import ContactFactory, PartnerFactory

    call_command("migrate", interactive=False, verbosity=0)
    org = Organisation.objects.create(name="Tinnitracks", slug="tinnitracks")
    owner = User.objects.create_user(email="eigenaar@tinnitracks.example", password="x" * 20)
    Membership.objects.create(organisation=org, user=owner, role=Role.OWNER)
    partner = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=partner, name="Katrin Vogel", email=CONTACT)
    collaboration = services.collaboration_create(
        organisation=org, actor=owner, name="Alliantie", partners=[partner]
    )
    today = timezone.localdate()
    round_ = services.round_create(
        collaboration=collaboration,
        actor=owner,
        name="Ronde 1",
        opens_on=today - datetime.timedelta(days=4),
        deadline=today + datetime.timedelta(days=20),
    )
    Invitation.objects.filter(round=round_, email=CONTACT).update(
        sent_at=timezone.now() - datetime.timedelta(days=4)
    )
    connections.close_all()


class Output:
    """Collects a process's output in a thread, so that its pipe never fills up."""

    def __init__(self, stream):
        self.lines = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in iter(stream.readline, ""):
            self.lines.append(line)

    @property
    def text(self):
        return "".join(self.lines)


def wait_for(condition, seconds, what, output):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"no {what} within {seconds} s; the stack said:\n{output.text[-4000:]}")


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def reminders_recorded(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM checker_reminder").fetchone()[0]


def test_make_run_serves_the_app_and_the_scheduler_sends_a_due_reminder(tmp_path):
    env = make_run_environment(tmp_path)
    subprocess.run(  # noqa: S603 (our own interpreter)
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from tests.partnerhub.test_runstack import seed; seed()",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
    )
    port = free_port()
    stack = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runstack", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(stack.stdout)
    try:
        wait_for(
            lambda: answers(f"http://127.0.0.1:{port}/accounts/login/") == 200,
            WAIT_SECONDS,
            "web page",
            output,
        )
        wait_for(lambda: reminders_recorded(tmp_path / "db.sqlite3") == 1, WAIT_SECONDS, "reminder", output)
        wait_for(lambda: f"To: {CONTACT}" in output.text, 10, "reminder mail on the console", output)
        assert "Broker: a folder on disk" in output.text
    finally:
        stack.send_signal(signal.SIGTERM)
        code = stack.wait(timeout=30)
    assert code == 0, output.text[-2000:]
    # The three stopped together: nothing answers on the port any more, and the reminder went out once.
    assert answers(f"http://127.0.0.1:{port}/accounts/login/") is None
    assert reminders_recorded(tmp_path / "db.sqlite3") == 1


def test_the_stack_stops_when_one_of_its_processes_cannot_start(tmp_path):
    """A port already taken ends runserver: runstack stops the worker too and fails, not half running."""
    env = make_run_environment(tmp_path)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity=0"], cwd=ROOT, env=env, check=True
    )
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "runstack", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert "The web process ended" in done.stderr
