"""PartnerHub settings, read from the environment (12-factor).

The defaults run on one laptop: SQLite, eager Celery, e-mail on the console, DEBUG on. Production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL (or REDIS_URL).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

# In development a fixed key is fine; without DEBUG the key must come from the environment.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "dev-only-insecure-key-partnerhub-do-not-use-in-production" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    # Second factor: TOTP apps (an authenticator) and single-use recovery codes (django-otp).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # django-ninja's templates and static files: the API docs page (/api/v1/docs) from our origin, no CDN.
    "ninja",
    "partnerhub",
    "matrix",
    "checker",
    "agreements",
    "affiliates",
]

MIDDLEWARE = [
    # /healthz and /readyz, before the host check and the HTTPS redirect (probes come over plain HTTP).
    "partnerhub.views.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that is away: the 503 page, also when the session middleware meets it (before Session).
    "partnerhub.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "partnerhub.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a locked-out login never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "partnerhub.wsgi.application"

# Django's form renderer, with the options of a select and the boxes of a checkbox or radio list written in
# Python rather than one template include each (partnerhub/form_renderer.py): a partner select has hundreds.
FORM_RENDERER = "partnerhub.form_renderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerhub.context_processors.organisation",
            ],
            "builtins": [
                "django.templatetags.i18n",
                # unlocalize: ids and numbers in HTML attributes never get a thousands separator
                "django.templatetags.l10n",
                "django.templatetags.static",
                "partnerhub.templatetags.money",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# How long a request may wait for the database before it gives up with a clear error (the 503 page, the
# API's JSON error, the redirect's fallback) instead of hanging until the web server kills the worker.
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "15000"))
DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "10000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development default serves several people at once: WAL lets readers work beside one writer, a
    # writer waits up to 20 s for the lock instead of failing with "database is locked", and IMMEDIATE takes
    # the write lock when a transaction begins, so two transactions never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
            f" -c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}",
            # A server that stops answering on an open connection is given up after this long.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": DATABASE_STATEMENT_TIMEOUT_MS + 5000,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partnerhub.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Throttle repeated failed logins (django-axes): five failures per account and address, then a pause; and an
# address that failed to log in to LOGIN_ADDRESS_USERNAME_LIMIT different accounts within the pause is paused
# itself (password spraying), whatever account it tries next (partnerhub.login_throttle). The address is the
# visitor's, behind the trusted proxies (TRUSTED_PROXIES), so one visitor never locks an account for all.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "partnerhub.client_ip.client_ip"
AXES_HANDLER = "partnerhub.login_throttle.LoginThrottleHandler"
LOGIN_ADDRESS_USERNAME_LIMIT = int(os.environ.get("LOGIN_ADDRESS_USERNAME_LIMIT", "10"))

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# How many proxies in front of the app append the address they saw to X-Forwarded-For (the README's TLS
# proxy: 1; 0: the connection's address counts and the header is ignored). One setting for everything that
# tells visitors apart by address (partnerhub.client_ip): login throttling, rate limits, the de-duplication
# of affiliate clicks and the evidence kept with a signature. AFFILIATE_TRUSTED_PROXIES is its old name.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES") or os.environ.get("AFFILIATE_TRUSTED_PROXIES") or "0")

# The partner programme: where an unknown affiliate code leads; the largest file the toolkit accepts.
AFFILIATE_FALLBACK_URL = os.environ.get("AFFILIATE_FALLBACK_URL", "")  # "": PartnerHub's own page for it, /r/
AFFILIATES_ASSET_MAX_BYTES = int(os.environ.get("AFFILIATES_ASSET_MAX_BYTES", str(10 * 1024 * 1024)))
# Clicks older than this many months are counted per affiliate and month, then removed.
AFFILIATE_CLICKS_KEEP_MONTHS = int(os.environ.get("AFFILIATE_CLICKS_KEEP_MONTHS", "25"))
# After the database was unavailable, /r/<code> leaves it alone for this long and sends visitors on by the
# link's remembered landing rules, so that no visitor waits for the connect timeout on every click.
AFFILIATE_DATABASE_PAUSE_SECONDS = int(os.environ.get("AFFILIATE_DATABASE_PAUSE_SECONDS", "10"))
# /r/<code> holds its clicks for at most this long and writes them together (affiliates.tracking.buffer); a
# process killed outright loses at most the clicks of that moment. 0: each click is inserted before the
# redirect answers. Beyond AFFILIATE_CLICK_BUFFER_MAX held clicks (the database away for long), clicks are
# logged for a replay instead of held.
AFFILIATE_CLICK_WRITE_SECONDS = float(os.environ.get("AFFILIATE_CLICK_WRITE_SECONDS", "0.5"))
AFFILIATE_CLICK_BUFFER_MAX = int(os.environ.get("AFFILIATE_CLICK_BUFFER_MAX", "100000"))
# How long a web process trusts a link it looked up (its affiliate, active or not, and the landing pages):
# a change made in another process reaches the link within this many seconds. 0: a lookup per click.
AFFILIATE_LINK_MEMORY_SECONDS = float(os.environ.get("AFFILIATE_LINK_MEMORY_SECONDS", "5"))

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # /r/<code> remembers each link's landing rules here for when the database is away (affiliates.tracking):
    # on disk, so that every web process of the machine shares it and it survives a restart.
    "affiliate_links": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("AFFILIATE_LINK_CACHE_DIR", str(BASE_DIR / ".cache" / "affiliate-links")),
        "TIMEOUT": 60 * 60 * 24 * 30,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
# Rate limits (django-ratelimit) count in a cache that every web process shares: Redis when REDIS_URL is set,
# the database otherwise (its table is made by `manage.py createcachetable`, which `make run` and the test
# database run).
_ratelimit_redis = os.environ.get("REDIS_URL", "")
CACHES["ratelimit"] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _ratelimit_redis,
        "KEY_PREFIX": "ratelimit",
    }
    if _ratelimit_redis
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "partnerhub_ratelimit"}
)
RATELIMIT_USE_CACHE = "ratelimit"
# Counted per visitor's address behind the trusted proxies (an IPv6 visitor by its /64: library default).
RATELIMIT_IP_META_KEY = "partnerhub.client_ip.client_ip"
# How often each can be done before the answer is 429 (partnerhub.ratelimits): "count/period", the period in
# s, m, h or d, optionally with a number ("10/15m"). Password reset and sign-up send mail to any address typed
# in; the public token pages are opened without an account; the API counts only failed API keys.
RATELIMITS = {
    "password_reset": "10/h",  # per address
    "password_reset_email": "3/h",  # per e-mail asked for
    "signup": "10/h",  # per address
    "member_invite": "50/h",  # per organisation
    "public_token": "120/m",  # per address
    "api_key_failure": "20/m",  # per address
}


def media_storage(*, kind, bucket="", endpoint_url="", region_name="", access_key="", secret_key=""):
    """STORAGES["default"], where rendered PDFs and toolkit files are kept: the local disk under MEDIA_ROOT
    (MEDIA_STORAGE=local, the default), which works only while web and worker share one machine, or a
    bucket of any S3 API (MEDIA_STORAGE=s3: Amazon, MinIO, …) that every machine reaches.

    The files are private either way: nothing links to them, the app streams every download after its
    membership check. Objects get the bucket's own ACL (private) and a signed URL, should anything ever ask
    for one, expires within a minute. Names are never overwritten: two PDFs of one day share a filename,
    and a render that lost its claim deletes the file it saved (partnerhub.documents), which with
    overwriting would be the other's.
    """
    kind = (kind or "local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise RuntimeError(f"MEDIA_STORAGE must be local or s3, not {kind!r}.")
    if not bucket.strip():
        raise RuntimeError("AWS_STORAGE_BUCKET_NAME must be set when MEDIA_STORAGE=s3.")
    from botocore.config import Config

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket.strip(),
            "endpoint_url": endpoint_url or None,  # unset: Amazon S3
            "region_name": region_name or None,
            # Unset: boto3 looks further (an instance role, ~/.aws/credentials).
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "custom_domain": None,
            "file_overwrite": False,
            # A storage that is away costs a request seconds, not botocore's minute per attempt.
            "client_config": Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3}),
        },
    }


STORAGES = {
    "default": media_storage(
        kind=os.environ.get("MEDIA_STORAGE", "local"),
        bucket=os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL", ""),
        region_name=os.environ.get("AWS_S3_REGION_NAME", ""),
        access_key=os.environ.get("AWS_ACCESS_KEY_ID", ""),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
    ),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail (Django 6.1 MAILERS): on the console in development; SMTP when EMAIL_HOST is set and always in
# production (where an unset EMAIL_HOST means a relay on localhost:25, Django's own default).
_email_host = os.environ.get("EMAIL_HOST", "")
if _email_host or not DEBUG:
    _mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host or "localhost",
            "port": int(os.environ.get("EMAIL_PORT", "587" if _email_host else "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", bool(_email_host)),
            "timeout": 20,
        },
    }
else:
    _mailer = {"BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PartnerHub <noreply@partnerhub.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in e-mails sent by background tasks (checker reminders) point to.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery: without a broker every task runs eagerly in-process, so `make run` needs nothing but Python.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Faults, set together (README, "When something is down"):
# - a task is stopped softly after CELERY_TASK_SOFT_TIME_LIMIT seconds, killed after CELERY_TASK_TIME_LIMIT;
# - a message taken by a worker that died is handed out again after the broker's visibility timeout, which
#   is longer than the hard limit so that a task still running is never delivered twice;
# - a worker process is replaced after max-tasks-per-child tasks or when it grows past the memory ceiling;
# - a Document pending or rendering for longer than BACKGROUND_JOB_STALLED_AFTER shows as stalled, retryable.
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "150"))
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # A Redis that stops answering on an open connection fails a publish instead of holding the request.
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
}
# `make run` (manage.py runstack) without Redis: web, worker and scheduler pass tasks through a folder on disk
# (kombu's filesystem transport), which needs no server. One machine only; production uses Redis.
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(os.environ.get("CELERY_FILESYSTEM_BROKER_DIR", BASE_DIR / ".cache" / "broker"))
    for _folder in ("queue", "control", "processed"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "polling_interval": 0.5,
    }
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "100"))
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD_KB", "700000"))
# Enqueueing gives up quickly when the broker is away: the request answers and the row says so.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
BACKGROUND_JOB_STALLED_AFTER = CELERY_TASK_TIME_LIMIT + 30
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Reminders for the samenwerkingschecker: every minute, so that a due reminder goes out within one; the
    # rules (days, once a day, deadline) are in checker/reminders.py, so running it often sends nothing extra.
    "checker-reminders": {
        "task": "checker.tasks.send_reminders",
        "schedule": float(os.environ.get("CHECKER_REMINDERS_EVERY_SECONDS", "60")),
    },
    # The partner programme. Each is safe to run twice (see the task modules in affiliates/).
    # Housekeeping (partnerhub/housekeeping.py): at night, each safe to run twice.
    "housekeeping-expired-tokens": {
        "task": "partnerhub.tasks.purge_expired_tokens",
        "schedule": crontab(hour=3, minute=10),
    },
    "housekeeping-import-uploads": {
        "task": "partnerhub.tasks.purge_import_uploads",
        "schedule": crontab(hour=3, minute=20),
    },
    "housekeeping-failed-documents": {
        "task": "partnerhub.tasks.retry_failed_documents",
        "schedule": crontab(hour=3, minute=30),
    },
    # Clicks counted into days (affiliates/tracking/rollup.py): every hour, so that a closed day is rolled up
    # soon after midnight and clicks that came in late are counted into their day within the hour.
    "programme-roll-up-clicks": {
        "task": "affiliates.tracking.tasks.roll_up_clicks",
        "schedule": crontab(minute=5),
    },
    "housekeeping-clicks": {
        "task": "affiliates.tracking.tasks.prune_clicks",
        "schedule": crontab(hour=3, minute=40),
    },
    "programme-approve-commissions": {
        "task": "affiliates.ledger.tasks.approve_due_commissions",
        "schedule": crontab(hour=5, minute=30),
    },
    "programme-payout-batches": {
        "task": "affiliates.ledger.tasks.payout_batches_create",
        "schedule": crontab(day_of_month=1, hour=6, minute=30),
    },
    "programme-evaluate-tiers": {
        "task": "affiliates.tiers.tasks.evaluate_tiers",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=6, minute=0),
    },
    "programme-quarterly-reviews": {
        "task": "affiliates.tiers.tasks.draft_quarterly_reviews",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=7, minute=0),
    },
}

# Content Security Policy on every response: scripts only from our own origin, no eval, no inline code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# How long an invitation to join an organisation stays valid.
MEMBER_INVITATION_DAYS = 14
# Housekeeping: how long expired invitations to join, and the uploaded text of finished CSV imports, are kept.
HOUSEKEEPING_INVITATIONS_KEEP_DAYS = 30
HOUSEKEEPING_IMPORT_UPLOADS_KEEP_DAYS = 7
# Partners per page in lists.
PARTNERS_PER_PAGE = 25
# A CSV import of more rows than this runs as a background job with a progress bar (smaller ones at once).
CSV_IMPORT_BACKGROUND_ROWS = int(os.environ.get("CSV_IMPORT_BACKGROUND_ROWS", "300"))

# Logs: one line per record on the console, as JSON with LOG_FORMAT=json (for a log collector); errors of
# requests also by mail to DJANGO_ADMINS when set, and to Sentry when SENTRY_DSN is set (partnerhub/logs.py).
# Gunicorn writes the request log itself, one line per request (gunicorn.conf.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
ADMINS = env_list("DJANGO_ADMINS")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "()": "partnerhub.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "partnerhub.logs.JsonFormatter"},
    },
    # Django's own logging adds the mail to ADMINS for errors of requests (when DEBUG is off).
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Tasks run in-process without a broker: their "succeeded" lines would drown the server's output.
        "celery": {"level": "WARNING"},
        # Without a broker kombu warns on every in-process task that it falls back to "localhost".
        "kombu.connection": {"level": "ERROR"},
    },
}
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from partnerhub.logs import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SENTRY_RELEASE", ""),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
