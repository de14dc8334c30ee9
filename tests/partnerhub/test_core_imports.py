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


def imported_modules(source, filename="<source>"):
    """Every module `source` imports, at module level or inside a function: `import a.b` gives "a.b",
    `from a import b` gives "a" and "a.b" (b may be a module)."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return found


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


def foreign_models(app, source, filename="<source>"):
    """Another feature app's models modules (`<app>.models`) that `source`, a module of `app`, imports."""
    found = []
    for name in imported_modules(source, filename):
        top, *rest = name.split(".")
        if top in FEATURE_APPS and top != app and rest[:1] == ["models"] and f"{top}.models" not in found:
            found.append(f"{top}.models")
    return found


def view_modules(app):
    """The app's view modules: views.py, views_*.py and everything in views/, of the app and of each of its
    sub-packages (`agreements/questions/views/`)."""
    folder = ROOT / app
    found = set()
    for package in [folder, *(init.parent for init in folder.glob("*/__init__.py"))]:
        found.update(package.glob("views*.py"), (package / "views").rglob("*.py"))
    return sorted(found)


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
    from agreements.questions.selectors import actions_due
    import affiliates
"""
    assert feature_imports(source) == [
        "matrix.models",
        "checker",
        "agreements.questions.selectors",
        "affiliates",
    ]
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


def test_the_checker_catches_a_view_importing_another_apps_models():
    source = (
        "from matrix.models import MatrixRow\nfrom matrix import selectors\nfrom agreements.models import X\n"
    )
    assert foreign_models("agreements", source) == ["matrix.models"]
    assert foreign_models("agreements", "from matrix import models\n") == ["matrix.models"]
    assert foreign_models("agreements", "import checker.models.rounds\n") == ["checker.models"]
    assert (
        foreign_models("agreements", "from matrix import selectors\nfrom partnerhub.models import P\n") == []
    )


def test_feature_app_views_reach_other_apps_only_through_selectors_and_services():
    violations = []
    for app in FEATURE_APPS:
        for path in view_modules(app):
            violations += [
                f"{path.relative_to(ROOT).as_posix()} imports {name}"
                for name in foreign_models(app, path.read_text(), path)
            ]
    assert violations == []


def test_feature_apps_use_no_view_module_of_the_core():
    """What the apps share with the core (the CSV import flow, tenancy, deletion) lives outside its views."""
    violations = []
    for app in FEATURE_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            violations += [
                f"{path.relative_to(ROOT).as_posix()} imports {name}"
                for name in imported_modules(path.read_text(), path)
                if name == "partnerhub.views" or name.startswith("partnerhub.views.")
            ]
    assert violations == []


def test_the_write_check_is_written_once_in_post_only_views():
    """`organisation_view` refuses a viewer's POST (partnerhub.tenancy.require_write); a POST-only view does
    not repeat the check (a view that mixes GET and POST may, for the form it shows)."""
    repeated = []
    for path in sorted(
        {*ROOT.glob("*/views/*.py"), *ROOT.glob("*/*/views/*.py"), *ROOT.glob("*/*/views.py")}
    ):
        if path.relative_to(ROOT).parts[0].startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            decorators = [ast.unparse(decorator) for decorator in node.decorator_list]
            viewer_may_post = any("viewer_may_post=True" in d for d in decorators)
            post_only = "require_POST" in decorators and not viewer_may_post
            if post_only and any(d.startswith("organisation_view") for d in decorators):
                repeated += [
                    f"{path.relative_to(ROOT)}:{statement.lineno} {node.name}"
                    for statement in node.body
                    if isinstance(statement, ast.Expr) and ast.unparse(statement).startswith("require_write(")
                ]
    assert repeated == []
