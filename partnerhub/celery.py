"""The Celery app. Settings come from Django's CELERY_* names.

A task is registered by living in a module called `tasks.py`, in an app or in one of its sub-packages
(`checker/tasks.py`, `affiliates/ledger/tasks.py`): autodiscovery imports every such module, and nothing else
needs to import one for its tasks to be known to the worker.
"""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings")

app = Celery("partnerhub")
app.config_from_object("django.conf:settings", namespace="CELERY")


def task_packages() -> list[str]:
    """Every installed app, and every sub-package of one that has a `tasks.py`."""
    from django.apps import apps

    packages = []
    for config in apps.get_app_configs():
        packages.append(config.name)
        packages.extend(
            f"{config.name}.{folder.name}"
            for folder in sorted(Path(config.path).iterdir())
            if (folder / "__init__.py").is_file() and (folder / "tasks.py").is_file()
        )
    return packages


app.autodiscover_tasks(task_packages)


@worker_process_init.connect
def pdf_writer_load(**_signal: object) -> None:
    """A worker's pool process loads WeasyPrint when it starts, so that its first PDF does not wait for the
    import (web processes never load it before their first PDF: partnerhub.pdf)."""
    import partnerhub.pdf_writer  # noqa: F401
