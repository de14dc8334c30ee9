"""Settings come from the environment; production mode passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_settings(env, code):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "REDIS_"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "partnerhub.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_passes_check_deploy():
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-1234567890",
        "DJANGO_ALLOWED_HOSTS": "partnerhub.example",
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_settings({"DJANGO_DEBUG": "0"}, "print(settings.SECRET_KEY)")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_defaults_run_on_a_laptop():
    result = run_settings(
        {},
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.MAILERS['default']['BACKEND'], settings.LANGUAGE_CODE)",
    )
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "nl",
    ]


def test_environment_switches_to_postgres_redis_and_smtp():
    result = run_settings(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "EMAIL_HOST": "smtp.example.nl",
        },
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, "
        "settings.CELERY_TASK_ALWAYS_EAGER, settings.MAILERS['default']['OPTIONS']['host'])",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/0",
        "False",
        "smtp.example.nl",
    ]
