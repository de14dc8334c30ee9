"""A database that is slow or gone, for real: a TCP proxy in a thread in front of the database port that can
forward, swallow ("black hole": accepts connections and never answers) or refuse (the port is closed), and
the project on gunicorn in another process, pointed at it. Used by the fault tests of the web app, the
affiliate redirect and the API.

The server runs `application()` below: the project's own URLs, plus one view that writes the session of an
anonymous visitor without reading anything, so that the session middleware is the one to meet the database.
"""

import http.client
import os
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode

import django
from django.urls import path

from tests.faults import free_port

ROOT = Path(__file__).resolve().parents[1]
# How long the server waits for the database to accept a connection (DATABASE_CONNECT_TIMEOUT), and how
# long a test waits for a page: far below gunicorn's 30 s worker timeout, far above a slow machine's answer.
CONNECT_TIMEOUT = 2
ANSWER_WITHIN = 15


class FaultyDatabase:
    """A TCP proxy on 127.0.0.1:<port> in front of `target` (host, port), in one of three modes:

    - "forward": a real database behind it;
    - "blackhole": connections are accepted and nothing ever comes back;
    - "refuse": nothing listens, the port is closed.

    Switching closes every connection made before, so the next request meets the new mode."""

    def __init__(self, target=None, mode="forward"):
        self.target = target
        self.port = free_port()
        self._sockets = []
        self._lock = threading.Lock()
        self._listener = None
        self._stopped = threading.Event()
        self.mode = None
        self.switch(mode)

    def switch(self, mode):
        assert mode in ("forward", "blackhole", "refuse")
        assert mode != "forward" or self.target is not None, "forward needs a database behind the proxy"
        self._close_connections()
        if mode == "refuse":
            self._stop_listening()
        elif self._listener is None:
            self._listen()
        self.mode = mode

    def close(self):
        self._stopped.set()
        self._stop_listening()
        self._close_connections()

    def _listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _stop_listening(self):
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _keep(self, sock):
        with self._lock:
            self._sockets.append(sock)

    def _close_connections(self):
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with suppress(OSError):
                sock.close()

    def _accept(self, listener):
        while not self._stopped.is_set():
            try:
                client, _address = listener.accept()
            except OSError:
                return  # the listener was closed
            self._keep(client)
            if self.mode == "forward":
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    client.close()
                    continue
                self._keep(upstream)
                threading.Thread(target=self._relay, args=(client, upstream), daemon=True).start()
            # "blackhole": the connection stays open and unread

    def _relay(self, client, upstream):
        pair = {client: upstream, upstream: client}
        try:
            while True:
                readable, _w, _x = select.select(list(pair), [], [], 1.0)
                if self.mode != "forward":
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            client.close()
            upstream.close()


def postgres_url(settings_dict, *, port=None, name=None):
    """A DATABASE_URL for the test database (or `name`), through `port` when given."""
    user = settings_dict["USER"] or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = "127.0.0.1" if port else (settings_dict["HOST"] or "127.0.0.1")
    port = port or settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or settings_dict['NAME']}"


def session_write(request):
    """Test-only view: writes the session of an anonymous visitor and reads nothing; the session middleware
    stores it on the way out."""
    from django.http import HttpResponse

    request.session["visited"] = True
    return HttpResponse("stored")


def __getattr__(name):
    # Built on first use: gunicorn imports this module before Django is set up.
    if name == "urlpatterns":
        from config import urls as project_urls

        return [path("session-write/", session_write), *project_urls.urlpatterns]
    raise AttributeError(name)


def application():
    """The WSGI application for gunicorn (`tests.database_faults:application()`)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerhub.settings")
    django.setup()
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    settings.ROOT_URLCONF = __name__
    return WSGIHandler()


class Server:
    """The project on one gunicorn sync worker (as docker-compose runs it, 30 s worker timeout)."""

    def __init__(self, *, database_url, log_path, env=None):
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        assert gunicorn, "gunicorn is a dependency of the project"
        self.port = free_port()
        self.log_path = log_path
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
        self.env = {
            **clean,
            "DJANGO_SETTINGS_MODULE": "partnerhub.settings",
            "DATABASE_URL": database_url,
            "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
            "DATABASE_CONN_MAX_AGE": "0",
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.command = [
            gunicorn,
            "--workers",
            "1",
            "--timeout",
            "30",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "tests.database_faults:application()",
        ]
        self.process = None

    def start(self):
        self._log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.command, env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                if self.get("/static/css/app.css", timeout=30).status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start: {self.log()}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self._log.close()

    def log(self):
        return Path(self.log_path).read_text(errors="replace") if Path(self.log_path).exists() else ""

    def request(self, method, target, *, body=None, headers=None, timeout=ANSWER_WITHIN):
        """One request on a new connection; raises TimeoutError when no answer comes within `timeout`."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, target, body=body, headers=headers or {})
            response = conn.getresponse()
            response.body = response.read()
            response.text = response.body.decode("utf-8", errors="replace")
            return response
        finally:
            conn.close()

    def get(self, target, **kwargs):
        return self.request("GET", target, **kwargs)

    def post_form(self, target, data, *, headers=None, **kwargs):
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", target, body=urlencode(data), headers=headers, **kwargs)


@contextmanager
def serving(*, database_url, log_path, env=None):
    server = Server(database_url=database_url, log_path=log_path, env=env)
    try:
        yield server.start()
    finally:
        server.stop()
