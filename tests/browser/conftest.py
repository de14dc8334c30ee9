"""Playwright against Debian's Chromium (never `playwright install`), headless, driving `live_server`.

Every test here is skipped, with the reason, where no Chromium is installed.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django would then refuse the test's own
# database queries as "async unsafe". Nothing here is really async, so the check is switched off.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM = str(DEBIAN_CHROMIUM) if DEBIAN_CHROMIUM.exists() else shutil.which("chromium")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    if CHROMIUM is None:
        pytest.skip("no Chromium at /usr/bin/chromium or on the PATH (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_errors(page):
    """Console errors and uncaught script errors of the page, collected as text."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def log_in_as(page, live_server, email, *, landing):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/accounts/login/'] button[type=submit]")
    expect(page).to_have_url(re.compile(landing))
