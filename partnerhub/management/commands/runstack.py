"""The whole product on one machine, as `make run` starts it: web server, Celery worker and scheduler.

Scheduled work (survey reminders, automatic approval, the monthly payout batch, the quarterly tiers and
reviews) only happens when a scheduler hands it to a worker. Without `CELERY_BROKER_URL` or `REDIS_URL` the
three processes pass tasks through a folder on disk (kombu's filesystem transport, under
`CELERY_FILESYSTEM_BROKER_DIR`), so nothing has to be installed; with either set they use that broker.

The processes start and stop together: Ctrl-C (or SIGTERM) stops all three, and when one of them ends on
its own (a port already taken, say) the others are stopped too and the command fails with its exit code.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

FILESYSTEM_BROKER = "filesystem://"
STOP_SECONDS = 10


class Command(BaseCommand):
    help = "Serve the web app with a Celery worker and the scheduler, started and stopped together."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="as for runserver")
        parser.add_argument(
            "--noreload", action="store_true", help="runserver without its code reloader (as in tests)"
        )

    def handle(self, *args, addrport, noreload, **options):
        env = stack_environment(os.environ)
        state = Path(settings.BASE_DIR, ".cache")
        state.mkdir(exist_ok=True)
        manage = [sys.executable, str(Path(settings.BASE_DIR, "manage.py"))]
        commands = {
            "web": [*manage, "runserver", addrport, *(["--noreload"] if noreload else [])],
            # One worker with the scheduler inside it (-B): the schedule's state is kept beside the cache.
            "worker": [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "partnerhub",
                "worker",
                "--beat",
                "--schedule",
                str(state / "celerybeat-schedule"),
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                # The filesystem transport has no broadcast: no need to look for other workers.
                "--without-gossip",
                "--without-mingle",
            ],
        }
        broker = env["CELERY_BROKER_URL"]
        self.stdout.write(f"Broker: {'a folder on disk' if broker == FILESYSTEM_BROKER else broker}")
        processes = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}  # noqa: S603
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = 0
        while not stopping:
            ended = {
                name: process.returncode for name, process in processes.items() if process.poll() is not None
            }
            if ended:
                name, code = next(iter(ended.items()))
                self.stderr.write(f"The {name} process ended (exit code {code}): stopping the others.")
                code = code or 1
                break
            time.sleep(0.2)
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if code:
            sys.exit(code)


def stack_environment(environ):
    """The environment of the three processes: the configured broker, else the folder on disk."""
    env = dict(environ)
    broker = env.get("CELERY_BROKER_URL") or env.get("REDIS_URL") or FILESYSTEM_BROKER
    env["CELERY_BROKER_URL"] = broker
    return env
