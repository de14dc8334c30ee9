"""An error in a request reaches whoever runs PartnerHub: one JSON line on the console (LOG_FORMAT=json), a
mail to DJANGO_ADMINS, and an event at Sentry when SENTRY_DSN is set (sentry-sdk, opt-in).

The project runs in a process of its own with production settings (DEBUG off) and a view that fails; Sentry
is outside the machine, so a small HTTP server in the test stands in for it and keeps what it receives.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parents[2]

# In the other process: the project's URLs plus one view that fails, requested once by the test client.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core import mail
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import include, path

def fails(request):
    return 1 / 0

class Urls:
    urlpatterns = [path("fails/", fails), path("", include("config.urls"))]

settings.ROOT_URLCONF = Urls
# The 500 page's static files without a collectstatic manifest (the image collects them when it is built).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
setup_test_environment()  # mail to the in-memory outbox
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "geheime-sessie-123"
status = client.get("/fails/", secure=True).status_code
import sentry_sdk
sentry_sdk.flush(timeout=10)
print(json.dumps({"status": status, "mail": [[m.to, m.subject] for m in mail.outbox]}))
"""


class FakeSentry(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.Handler)
        self.received = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":
                body = brotli.decompress(body)  # WeasyPrint's fonttools brings brotli along
            self.server.received.append(body.decode("utf-8", errors="replace"))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass


def run_probe(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_", "LOG_"))}
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "partnerhub.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "error-reporting-test-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "PYTHONPATH": str(ROOT),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_a_failing_request_is_logged_as_one_json_line_mailed_and_sent_to_sentry():
    sentry = FakeSentry()
    try:
        result, log = run_probe(
            SENTRY_DSN=f"http://publickey@127.0.0.1:{sentry.server_address[1]}/1",
            LOG_FORMAT="json",
            DJANGO_ADMINS="beheer@partnerhub.example",
        )
    finally:
        sentry.shutdown()
    assert result["status"] == 500
    # The console: the error is one JSON object on one line, traceback included.
    errors = [json.loads(line) for line in log.splitlines() if line.startswith("{") and '"ERROR"' in line]
    request_errors = [entry for entry in errors if entry["logger"] == "django.request"]
    assert len(request_errors) == 1, log
    assert request_errors[0]["message"].startswith("Internal Server Error: /fails/")
    assert "ZeroDivisionError" in request_errors[0]["exception"]
    # The administrators get a mail.
    assert [to for to, _subject in result["mail"]] == [["beheer@partnerhub.example"]]
    # Sentry gets the event, with the exception and without personal data of the visitor.
    events = [body for body in sentry.received if '"type":"event"' in body.replace(" ", "")]
    assert events, sentry.received
    assert "ZeroDivisionError" in events[0]
    assert "geheime-sessie-123" not in events[0]


def test_without_sentry_or_admins_errors_go_to_the_console_only():
    result, log = run_probe(LOG_FORMAT="text")
    assert result == {"status": 500, "mail": []}
    lines = [line for line in log.splitlines() if "Internal Server Error: /fails/" in line]
    assert len(lines) == 1
    assert "ZeroDivisionError" in lines[0]  # the traceback stays on the record's line
