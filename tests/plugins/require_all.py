"""pytest plugin: with PARTNERHUB_REQUIRE_ALL=1 every skipped test counts as a failure.

Tests that need a browser, Redis or Postgres skip where the thing is absent, which is right on a laptop
and wrong in CI: `.ci/run` provides all of them, so a skip there means the environment lost something
and the test silently stopped proving anything. Loaded with `-p tests.plugins.require_all` (from
PYTEST_ADDOPTS in `.ci/run`); without the variable it does nothing. Expected failures (xfail) stay as
they are; tests deselected with `-m` are not skips.
"""

import os

import pytest

VARIABLE = "PARTNERHUB_REQUIRE_ALL"


def required():
    return os.environ.get(VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def pytest_report_header(config):
    if required():
        return f"{VARIABLE}=1: a skipped test fails"
    return None


def _reason(report):
    # A skip's longrepr is (path, line, "Skipped: reason").
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return report.longrepr[2]
    return str(report.longrepr)


def _fail(report):
    report.outcome = "failed"
    report.longrepr = f"{VARIABLE}=1, but this was skipped: {_reason(report)}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if required() and report.skipped and not hasattr(report, "wasxfail"):
        _fail(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    # A module that skips itself while being imported (pytest.skip(allow_module_level=True)).
    report = yield
    if required() and report.skipped:
        _fail(report)
    return report
