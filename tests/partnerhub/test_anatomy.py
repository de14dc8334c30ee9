"""One anatomy for every app (docs/architecture.md): the same files in every app, and in an app with
sub-domains one sub-package per sub-domain whose word names it in every layer (code, templates, tests)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("partnerhub", "matrix", "checker", "agreements", "affiliates")
FEATURE_APPS = APPS[1:]
# Folders Django or Python give a meaning of their own; they are not sub-domains.
NOT_SUBDOMAINS = {
    "models",
    "views",
    "templatetags",
    "management",
    "migrations",
    "templates",
    "static",
    "locale",
}
PREFIXED = re.compile(r"^(forms|tasks|mail|views|urls)_\w+\.py$|^\w+_(urls|tasks|mail|services)\.py$")


def subdomains(app):
    return sorted(
        folder.name
        for folder in (ROOT / app).iterdir()
        if (folder / "__init__.py").is_file() and folder.name not in NOT_SUBDOMAINS
    )


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_same_frame(app):
    for name in ("apps.py", "admin.py", "urls.py"):
        assert (ROOT / app / name).is_file(), f"{app}/{name}"


@pytest.mark.parametrize("app", FEATURE_APPS)
def test_no_sub_domain_hides_in_a_file_prefix(app):
    """`forms_ledger.py`, `sign_tasks.py`, `nps_urls.py`: a sub-domain named in a prefix belongs in its own
    sub-package (`ledger/forms.py`, `signing/tasks.py`, `people/public_urls.py`)."""
    prefixed = sorted(
        path.name
        for path in (ROOT / app).glob("*.py")
        if PREFIXED.match(path.name) and path.name != "public_urls.py"
    )
    assert prefixed == []


@pytest.mark.parametrize("app", ["affiliates", "agreements"])
def test_a_sub_domain_has_one_word_in_every_layer(app):
    found = subdomains(app)
    assert len(found) >= 2, found
    for word in found:
        package = ROOT / app / word
        assert (package / "urls.py").is_file() or (package / "public_urls.py").is_file(), (
            f"{app}/{word}: urls"
        )
        assert (package / "views").is_dir() or (package / "views.py").is_file(), f"{app}/{word}: views"
        assert (ROOT / app / "templates" / app / word).is_dir(), f"{app}/templates/{app}/{word}/"
        assert (ROOT / "tests" / app / word / "__init__.py").is_file(), f"tests/{app}/{word}/"
        assert list((ROOT / "tests" / app / word).glob("test_*.py")), f"tests/{app}/{word}/test_*.py"


def test_the_programme_models_are_named_by_sub_domain():
    modules = {path.stem for path in (ROOT / "affiliates" / "models").glob("*.py")} - {"__init__"}
    assert modules == set(subdomains("affiliates"))
