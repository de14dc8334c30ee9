"""The core knows no feature app: nothing under partnerhub/ imports matrix, checker, agreements or affiliates,
and no core template loads their tag libraries. The feature apps add to the core's pages through
partnerhub.sections, to its erasure through partnerhub.erasure, and the project URLconf (config/urls.py)
mounts their URLs and the API. Only the settings, the Celery app and the demo loader may name them."""

import ast
import re
from pathlib import Path

from django.template import engines

from partnerhub import sections

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "partnerhub"
FEATURE_APPS = ("matrix", "checker", "agreements", "affiliates")
ALLOWED = {"settings.py", "celery.py", "management/commands/seed_demo.py"}
# Every tag library the feature apps define, by the name `{% load %}` uses.
FEATURE_TAG_LIBRARIES = {
    path.stem
    for app in FEATURE_APPS
    for path in (ROOT / app / "templatetags").glob("*.py")
    if path.stem != "__init__"
}
LOAD = re.compile(r"{%\s*load\s+([^%]*?)\s*%}")


def feature_imports(source, filename="<source>"):
    """The feature modules `source` imports, at module level or inside a function."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in FEATURE_APPS]
    return found


def feature_loads(text):
    """The feature apps' tag libraries a template loads (`{% load x y %}` and `{% load a from x %}`)."""
    found = []
    for match in LOAD.finditer(text):
        words = match.group(1).split()
        libraries = words[words.index("from") + 1 :] if "from" in words else words
        found += [library for library in libraries if library in FEATURE_TAG_LIBRARIES]
    return found


def test_the_checker_catches_imports_of_feature_apps():
    source = """
import os
import matrix.models
from checker import documents
from partnerhub.models import Partner
from . import selectors

def view():
    from agreements.answers import actions_due
    import affiliates
"""
    assert feature_imports(source) == ["matrix.models", "checker", "agreements.answers", "affiliates"]
    assert feature_imports("import matrixx\nfrom partnerhub import checkerboard\n") == []


def test_the_checker_catches_feature_tag_libraries_in_templates():
    assert {"matrix_tags", "checker_tags", "agreement_tags", "programme_tags", "onboarding_tags"} <= (
        FEATURE_TAG_LIBRARIES
    )
    assert feature_loads("{% load i18n %}{% load static checker_tags %}") == ["checker_tags"]
    assert feature_loads("{% load partner_matrix_rows from matrix_tags %}") == ["matrix_tags"]
    assert feature_loads("{% load money %}{% load static %}") == []


def test_the_core_imports_no_feature_app():
    violations = []
    for path in sorted(CORE.rglob("*.py")):
        relative = path.relative_to(CORE).as_posix()
        if relative in ALLOWED:
            continue
        violations += [
            f"partnerhub/{relative} imports {name}" for name in feature_imports(path.read_text(), path)
        ]
    assert violations == []


def test_the_core_templates_load_no_feature_tag_library():
    violations = []
    for path in sorted((CORE / "templates").rglob("*.html")):
        violations += [
            f"{path.relative_to(ROOT).as_posix()} loads {library}"
            for library in feature_loads(path.read_text())
        ]
    assert violations == []


def test_every_feature_app_registers_its_sections():
    """The partner page and the dashboard show the apps' sections in the order the pages always had."""
    assert [section.key for section in sorted(sections.PARTNER_SECTIONS.values(), key=lambda s: s.order)] == [
        "matrix.rows",
        "checker.scores",
        "agreements.agreements",
        "affiliates.programme",
        "affiliates.onboarding",
    ]
    assert [section.key for section in sorted(sections.DASHBOARD_PANELS.values(), key=lambda s: s.order)] == [
        "checker.open_rounds",
        "agreements.actions_due",
    ]
    engine = engines["django"]
    for section in [*sections.PARTNER_SECTIONS.values(), *sections.DASHBOARD_PANELS.values()]:
        engine.get_template(section.template)  # exists and compiles
