"""Scale-out on one machine: two web processes (gunicorn with the project's gunicorn.conf.py, as the image
runs it) and two Celery workers, all against one Postgres and one Redis, as two hosts behind a load balancer
would run. Used by the correctness test (tests/partnerhub/test_scale_out.py) and the benchmark
(tests/bench/bench_scale_out.py).

The processes get their configuration from the environment only, like a deployment: the test database's
DATABASE_URL, REDIS_URL (broker and rate limits), one MEDIA_ROOT and one link cache folder (the machine's
disk, which both "hosts" share here), TRUSTED_PROXIES=1 (so that each request can come from its own address
through X-Forwarded-For, as behind the TLS proxy) and the test process's SECRET_KEY (so that a session made
here is valid there).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import redis
from celery import Celery
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.database_faults import Server
from tests.faults import free_port

ROOT = Path(__file__).resolve().parents[1]
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
# What a deployment sets itself: nothing of the environment this test runs in may leak into the processes.
OWN_PREFIXES = (
    "DATABASE_",
    "DJANGO_",
    "CELERY_",
    "REDIS_",
    "MEDIA_",
    "AWS_",
    "SENTRY_",
    "EMAIL_",
    "GUNICORN_",
    "AFFILIATE_",
    "TRUSTED_PROXIES",
    "WEB_CONCURRENCY",
    "PORT",
)
# The queue keys of kombu's Redis transport: the queue itself and the messages a worker took but did not ack.
QUEUE_KEYS = ("celery", "unacked", "unacked_index", "unacked_mutex")
START_WITHIN = 90
ANSWER_WITHIN = 30


def service_env(*, database_url, redis_url, media_root, link_cache_dir, production=False):
    """The environment every process of the installation gets: the same for web and worker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "partnerhub.settings",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(media_root),
            "AFFILIATE_LINK_CACHE_DIR": str(link_cache_dir),
            "TRUSTED_PROXIES": "1",
        }
    )
    if production:
        # As the image runs: DEBUG off (collected static files, the manifest), behind a TLS proxy.
        env.update({"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"})
    else:
        env["DJANGO_DEBUG"] = "1"
    return env


class WebProcess(Server):
    """One web process: `gunicorn -c gunicorn.conf.py partnerhub.wsgi` with WEB_CONCURRENCY sync workers on
    PORT, started and stopped like the fault tests' server (whose request helpers it keeps)."""

    def __init__(self, *, env, log_path, concurrency=2):
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        assert gunicorn, "gunicorn is a dependency of the project"
        self.port = free_port()
        self.log_path = log_path
        self.env = {**env, "PORT": str(self.port), "WEB_CONCURRENCY": str(concurrency)}
        self.command = [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "partnerhub.wsgi"]
        self.process = None

    def start(self):
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn)
            self.command, env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        return self

    def terminate(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # graceful: the workers finish their request

    def workers_replaced(self):
        """How many of its gunicorn workers were replaced so far (after GUNICORN_MAX_REQUESTS requests)."""
        booted = self.log().count("Booting worker with pid")
        return max(0, booted - int(self.env["WEB_CONCURRENCY"]))

    def ready(self):
        """/readyz answers 200: database, broker and storage reachable from this process."""
        assert self.process.poll() is None, f"gunicorn on {self.port} exited:\n{self.log()[-4000:]}"
        try:
            return self.get("/readyz", timeout=10).status == 200
        except OSError:
            return False


class WorkerProcess:
    """One Celery worker (`celery -A partnerhub worker --concurrency 1 -n <name>`), in its own process group
    so that its pool child goes with it."""

    def __init__(self, *, env, log_path, name):
        self.env = env
        self.log_path = log_path
        self.name = f"{name}@{os.uname().nodename}"
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "partnerhub",
            "worker",
            "--concurrency=1",
            "--loglevel=INFO",
            f"--hostname={self.name}",
        ]
        self.process = None

    def start(self):
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603 (our own worker)
            self.command,
            env=self.env,
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def terminate(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown

    def stop(self):
        if self.process is None:
            return
        self.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self._log.close()

    def log(self):
        return Path(self.log_path).read_text(errors="replace") if Path(self.log_path).exists() else ""


class Installation:
    """`web` gunicorn processes and `workers` Celery workers sharing one database, one Redis and one media
    folder.

    Use as a context manager: everything started is stopped on the way out, also after a failure."""

    def __init__(
        self,
        *,
        database_url,
        redis_url,
        tmp_path,
        web=2,
        workers=2,
        concurrency=2,
        production=False,
        env=None,
    ):
        self.redis_url = redis_url
        self.log_dir = tmp_path / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.media_root = Path(settings.MEDIA_ROOT)
        self.env = service_env(
            database_url=database_url,
            redis_url=redis_url,
            media_root=self.media_root,
            link_cache_dir=tmp_path / "link-cache",
            production=production,
        )
        self.env.update(env or {})
        run_id = uuid.uuid4().hex[:6]
        self.web = [
            WebProcess(env=self.env, log_path=self.log_dir / f"web-{n}.log", concurrency=concurrency)
            for n in range(1, web + 1)
        ]
        self.workers = [
            WorkerProcess(env=self.env, log_path=self.log_dir / f"worker-{n}.log", name=f"w{n}-{run_id}")
            for n in range(1, workers + 1)
        ]
        self.control = Celery("scale-out-control", broker=redis_url, set_as_current=False)

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        purge_queue(self.redis_url)  # messages left by an earlier, interrupted run
        for process in [*self.web, *self.workers]:
            process.start()
        deadline = time.monotonic() + START_WITHIN
        waiting_web, waiting_workers = list(self.web), {w.name for w in self.workers}
        while waiting_web or waiting_workers:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not ready within {START_WITHIN} s: web on {[w.port for w in waiting_web]}, "
                    f"workers {sorted(waiting_workers)}\n{self.logs()}"
                )
            for worker in self.workers:
                assert worker.process.poll() is None, f"worker {worker.name} exited:\n{self.logs()}"
            waiting_web = [web for web in waiting_web if not web.ready()]
            if waiting_workers:
                waiting_workers -= self.workers_answering(sorted(waiting_workers))
            if waiting_web or waiting_workers:
                time.sleep(0.3)

    def workers_answering(self, names):
        """The workers among `names` that answer a ping through the broker."""
        replies = self.control.control.ping(destination=names, timeout=1.0)
        return {name for reply in replies for name in reply}

    def tasks_done(self):
        """Per worker, the tasks it took, by task name (the worker's own count, asked through the broker)."""
        stats = self.control.control.inspect(destination=[w.name for w in self.workers], timeout=3).stats()
        return {name: dict(stats.get(name, {}).get("total", {})) for name in (w.name for w in self.workers)}

    def stop(self):
        processes = [*self.web, *self.workers]
        for process in processes:  # all at once, then wait for each
            process.terminate()
        for process in processes:
            try:
                process.stop()
            except Exception as error:  # stop the others all the same
                print(f"stopping {process}: {error}", file=sys.stderr)
        self.control.close()
        purge_queue(self.redis_url)

    def logs(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.log_dir.glob("*.log"))
        )


def purge_queue(redis_url):
    redis.Redis.from_url(redis_url).delete(*QUEUE_KEYS)


# --- the data the traffic needs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shop:
    """An organisation with partners, a member logged in (a session in the database) and an affiliate
    programme: an active link code and an API key."""

    slug: str
    name: str
    partner_names: tuple
    link_code: str
    api_key: str
    session_cookie: str

    def cookie(self, csrf=""):
        cookie = f"{settings.SESSION_COOKIE_NAME}={self.session_cookie}"
        return f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}" if csrf else cookie


def shop_create(*, partners=12):
    """Committed rows (the processes read them through their own connections) and a session for them."""
    from partnerhub.models import Role
    from tests.affiliates.factories_tracking import affiliate_for, api_key_for, programme_with_landings
    from tests.factories import MembershipFactory, OrganisationFactory, PartnerFactory

    org = OrganisationFactory(name="Schaal BV", slug="schaal-bv")
    manager = MembershipFactory(organisation=org, role=Role.MANAGER, user__email="schaal@example.nl").user
    names = tuple(
        PartnerFactory(organisation=org, name=f"Partner {n:02d} Schaal").name for n in range(partners)
    )
    programme_with_landings(org)
    affiliate = affiliate_for(org, code="blogger-schaal")
    _key, raw = api_key_for(org)
    client = Client()
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    return Shop(
        slug=org.slug,
        name=org.name,
        partner_names=names,
        link_code=affiliate.code,
        api_key=raw,
        session_cookie=client.cookies[settings.SESSION_COOKIE_NAME].value,
    )


# --- requests -----------------------------------------------------------------------------------------------


def address(n):
    """A distinct visitor address per number (TEST-NET and private ranges, never a real visitor)."""
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def click(web, shop, visitor, **headers):
    """GET /r/<code> from `visitor` (X-Forwarded-For, one trusted proxy)."""
    return web.get(
        f"/r/{shop.link_code}?to=/acties/&utm_source=scale",
        headers={"User-Agent": UA, "X-Forwarded-For": visitor, **headers},
        timeout=ANSWER_WITHIN,
    )


def click_id_of(response):
    match = re.search(r"[?&]ph_click=([0-9a-f]+)", response.getheader("Location") or "")
    return match.group(1) if match else ""


def page(web, shop, target, **headers):
    headers = {"User-Agent": UA, "Cookie": shop.cookie(), **headers}
    return web.get(target, headers=headers, timeout=ANSWER_WITHIN)


def csrf_token(web, shop):
    """The CSRF cookie and the form's token, from the partner list (the page with the PDF button)."""
    response = page(web, shop, f"/o/{shop.slug}/partners/")
    assert response.status == 200, response.status
    cookie = re.search(rf"{settings.CSRF_COOKIE_NAME}=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert cookie and token, "the partner list sets a CSRF cookie and has a form with its token"
    return cookie.group(1), token.group(1)


def pdf_request(web, shop, csrf):
    """POST /o/<slug>/partners/pdf/, as the button on the partner list does."""
    cookie, token = csrf
    return web.post_form(
        f"/o/{shop.slug}/partners/pdf/",
        {"csrfmiddlewaretoken": token},
        headers={"User-Agent": UA, "Cookie": shop.cookie(csrf=cookie)},
        timeout=ANSWER_WITHIN,
    )


def order(web, shop, key, *, customer):
    """POST /api/v1/conversions: an order of `customer`, attributed by the affiliate's link code."""
    body = {
        "customer_reference": customer,
        "value": "125.50",
        "date": timezone.localdate().isoformat(),
        "code": shop.link_code,
    }
    return web.request(
        "POST",
        "/api/v1/conversions",
        body=json.dumps(body),
        headers={
            "Authorization": f"Bearer {shop.api_key}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        },
        timeout=ANSWER_WITHIN,
    )
