"""One way to register a Celery task: it lives in a module called tasks.py (in an app or one of its
sub-packages), and the worker's autodiscovery finds it without any other module importing it."""

import ast
from pathlib import Path

from django.conf import settings

from partnerhub.celery import app, task_packages

ROOT = Path(__file__).resolve().parents[2]
APPS = ("partnerhub", "matrix", "checker", "agreements", "affiliates")


def discover():
    """What the worker does at start: import `tasks` from every package that `task_packages` names."""
    app.loader.autodiscover_tasks(task_packages(), "tasks")


def test_discovery_registers_every_scheduled_task():
    discover()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


def test_every_task_lives_in_a_tasks_module():
    discover()
    ours = [task for name, task in app.tasks.items() if name.split(".")[0] in APPS]
    assert len(ours) >= 15
    outside = sorted(
        name
        for name, task in app.tasks.items()
        if name in {t.name for t in ours} and not task.__module__.endswith(".tasks")
    )
    assert outside == []
    for task in ours:
        assert task.__module__.rsplit(".", 1)[0] in task_packages(), task.name


def test_no_task_is_declared_outside_a_tasks_module():
    declared_elsewhere = []
    for app_name in APPS:
        for path in (ROOT / app_name).rglob("*.py"):
            if path.name == "tasks.py" or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    for decorator in node.decorator_list:
                        target = decorator.func if isinstance(decorator, ast.Call) else decorator
                        name = getattr(target, "id", None) or getattr(target, "attr", None)
                        if name in {"shared_task", "task"}:
                            declared_elsewhere.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert declared_elsewhere == []
