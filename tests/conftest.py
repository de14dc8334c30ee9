"""Shared fixtures: two organisations; an owner, a manager and a viewer of the first (healthchecks-style)."""

import uuid

import pytest

from partnerhub.models import Role
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clicks_written_at_once(settings):
    """In this process a click is inserted before its redirect answers (the test's transaction is not
    visible to the writer thread of the click buffer), and no test sees the links another looked up. The
    buffer itself is tested in tests/affiliates/tracking/test_click_buffer.py and in real web processes."""
    from affiliates.tracking.clicks import links_forget

    settings.AFFILIATE_CLICK_WRITE_SECONDS = 0
    links_forget()


@pytest.fixture
def eager_celery(settings):
    """Run tasks in-process (as without a broker), whatever broker the environment configures."""
    from partnerhub.celery import app as celery_app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def migration_data_present(request, django_db_blocker):
    """A test on a committing database (`transactional_db`, `live_server`, the browser tests) ends with a
    flush, which also empties what a data migration loaded: the checker's 17 standard statements. Every
    test that uses the database starts with them there, whatever ran before it."""
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if uses_database:
        from checker.services import standard_statements_restore

        with django_db_blocker.unblock():
            standard_statements_restore()
    yield


@pytest.fixture
def broker(settings):
    """Point the app's producer at a broker URL (tasks queued, not run in-process), and back afterwards."""
    from partnerhub.celery import app as celery_app
    from tests.faults import forget_broker_connections

    keys = ("broker_url", "task_always_eager")
    previous = {key: celery_app.conf[key] for key in keys}
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def use(url):
        celery_app.conf.update(broker_url=url, task_always_eager=False)
        forget_broker_connections()

    yield use
    celery_app.conf.update(previous)
    forget_broker_connections()


@pytest.fixture
def unreachable_broker(broker):
    """The broker is a closed port: every `delay` fails after the short publish retry."""
    from tests.faults import closed_broker_url

    broker(closed_broker_url())


@pytest.fixture
def redis_worker(broker):
    """A Celery worker in a thread of the test process, taking tasks from the real Redis at REDIS_URL.

    It works against the test database, so its tests commit (`transaction=True`): the worker's own
    connection must see the rows. Skipped where no Redis answers (CI has one, where nothing may skip).
    """
    from celery.contrib.testing.worker import start_worker

    from partnerhub.celery import app as celery_app
    from tests.faults import REDIS_URL, redis_answers

    if not redis_answers(REDIS_URL):
        pytest.skip(f"no Redis answers PING at {REDIS_URL} (set REDIS_URL to run the worker tests)")
    broker(REDIS_URL)
    celery_app.control.purge()  # messages left by an earlier, interrupted run
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING") as worker:
        yield worker


@pytest.fixture(autouse=True)
def _own_rate_limit_counts(settings):
    """Each test counts its rate limits from zero (keys of its own), also in a Redis that outlives it."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per login; the tests prove behaviour, not hash strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Tinnitracks", slug="tinnitracks")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="Andere BV", slug="andere-bv")


@pytest.fixture
def owner(org):
    return MembershipFactory(organisation=org, role=Role.OWNER, user__email="owner@example.nl").user


@pytest.fixture
def manager(org):
    return MembershipFactory(organisation=org, role=Role.MANAGER, user__email="manager@example.nl").user


@pytest.fixture
def viewer(org):
    return MembershipFactory(organisation=org, role=Role.VIEWER, user__email="viewer@example.nl").user


@pytest.fixture
def stranger(other_org):
    """A manager of another organisation: must never see anything of `org`."""
    return MembershipFactory(
        organisation=other_org, role=Role.MANAGER, user__email="stranger@example.nl"
    ).user


@pytest.fixture
def password():
    return PASSWORD


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def manager_client(client, manager):
    return login(client, manager)


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


@pytest.fixture
def viewer_client(client, viewer):
    return login(client, viewer)
