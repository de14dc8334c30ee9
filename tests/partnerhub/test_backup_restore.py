"""A backup can be restored: the README's pg_dump / pg_restore commands, run against a database with data in
it, give a fresh database on which the app starts, reports itself ready, finds no migration missing and shows
the data. Postgres only (the production database); on SQLite the backup is a copy of the file."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from partnerhub.models import Organisation, Partner
from tests.database_faults import postgres_url, serving
from tests.factories import PartnerFactory

ROOT = Path(__file__).resolve().parents[2]


def run(*command, env=None):
    return subprocess.run(  # noqa: S603 (the Postgres tools and our own manage.py)
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=True
    ).stdout


@pytest.fixture
def restored_url(tmp_path):
    """After the test has written its data: dump the test database as the README says, restore the dump
    into a new database, and give its URL; the new database is dropped afterwards."""
    name = f"restored_{uuid.uuid4().hex[:8]}"
    source = postgres_url(connection.settings_dict)
    target = postgres_url(connection.settings_dict, name=name)

    def restore():
        dump = tmp_path / "partnerhub.dump"
        run("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source)
        run("createdb", f"--maintenance-db={source}", name)
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump))
        return target

    yield restore
    subprocess.run(["dropdb", "--if-exists", f"--maintenance-db={source}", name], check=False, timeout=60)  # noqa: S603, S607


@pytest.mark.django_db(transaction=True)
def test_a_restored_dump_runs_the_app_with_its_data(org, restored_url, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs Postgres: the backup commands are pg_dump and pg_restore")
    PartnerFactory(organisation=org, name="Bouw & Zonen 't Hart")
    url = restored_url()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")},
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "partnerhub.settings",
        "PYTHONPATH": str(ROOT),
    }
    # No migration is missing on the restored database, and the data came along.
    run(sys.executable, "manage.py", "migrate", "--check", env=env)
    count = run(
        sys.executable,
        "-c",
        "import django; django.setup(); from partnerhub.models import Partner;"
        ' print(Partner.objects.filter(name="Bouw & Zonen \'t Hart").count())',
        env=env,
    )
    assert count.strip() == "1"
    # The app starts on it and says it is ready.
    with serving(database_url=url, log_path=tmp_path / "gunicorn.log") as server:
        ready = server.get("/readyz")
        assert ready.status == 200, ready.text
        assert server.get("/accounts/login/").status == 200
    assert Organisation.objects.filter(pk=org.pk).exists()
    assert Partner.objects.filter(organisation=org).count() == 1
