"""WeasyPrint loads with the first PDF a process renders, not with the process: a web process (the settings,
every app, the project URLconf) and a Celery worker (its tasks, found by autodiscovery) start without it,
which saves about 1.5 s per start (partnerhub.pdf_writer). Each check runs in a fresh interpreter, since
this test process has long loaded WeasyPrint for other tests."""

import json
import os
import subprocess
import sys

from django.conf import settings

START_WEB = "import django; django.setup(); import config.urls"
START_WORKER = (
    "import django; django.setup(); from partnerhub.celery import app, task_packages; "
    "app.loader.autodiscover_tasks(task_packages(), 'tasks'); app.loader.import_default_modules()"
)
WATCHED = (
    "weasyprint",
    "partnerhub.pdf_writer",
    "partnerhub.pdf",
    "partnerhub.documents",
    "partnerhub.tasks",
)


def modules_after(code):
    """Which of WeasyPrint and our PDF modules a fresh interpreter has loaded after running `code`."""
    report = f"import json, sys; print(json.dumps([m for m in {WATCHED!r} if m in sys.modules]))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnerhub.settings"}
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", f"{code}\n{report}"],
        capture_output=True,
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.decode().strip().splitlines()[-1]))


def test_starting_the_web_process_does_not_load_weasyprint():
    loaded = modules_after(START_WEB)
    assert {"partnerhub.documents", "partnerhub.pdf"} <= loaded  # the PDF kinds are registered
    assert "weasyprint" not in loaded
    assert "partnerhub.pdf_writer" not in loaded


def test_starting_a_worker_does_not_load_weasyprint():
    loaded = modules_after(START_WORKER)
    assert "partnerhub.tasks" in loaded  # render_document is known to the worker
    assert "weasyprint" not in loaded
    assert "partnerhub.pdf_writer" not in loaded


def test_the_first_render_loads_weasyprint():
    render = (
        "from partnerhub.pdf import render_pdf; "
        "assert render_pdf('partnerhub/pdf/partner_list.html', {'partners': []}).startswith(b'%PDF')"
    )
    loaded = modules_after(f"{START_WEB}\n{render}")
    assert {"weasyprint", "partnerhub.pdf_writer"} <= loaded


def test_a_worker_pool_process_loads_weasyprint_when_it_starts():
    started = "from celery.signals import worker_process_init; worker_process_init.send(sender=None)"
    loaded = modules_after(f"{START_WORKER}\n{started}")
    assert {"weasyprint", "partnerhub.pdf_writer"} <= loaded
