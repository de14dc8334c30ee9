# syntax=docker/dockerfile:1
# PartnerHub: one image for web (gunicorn), worker and beat (Celery). See docker-compose.yml.
ARG UV_VERSION=0.13.9
FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

FROM python:3.12-slim-bookworm

# WeasyPrint needs Pango (and HarfBuzz's subsetter) and local fonts; gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

COPY --from=uv /uv /uvx /usr/local/bin/

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH" \
    DJANGO_DEBUG=0 \
    MEDIA_ROOT=/data/media \
    AFFILIATE_LINK_CACHE_DIR=/data/cache/affiliate-links

WORKDIR /app

# Dependencies first, from the lock file only, so this layer survives code changes.
COPY pyproject.toml uv.lock .python-version ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

COPY . .
# Translations and static files are part of the image, made once when it is built (not on every start).
# The settings refuse to load without a secret key when DEBUG is off: a throwaway one is enough for these two.
RUN python manage.py compilemessages --ignore=.venv --ignore=.tools --verbosity=0 \
    && DJANGO_SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --no-input --verbosity=0

RUN useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin partnerhub \
    && mkdir -p /data/media /data/cache /data/beat \
    && chown -R partnerhub:partnerhub /data
USER partnerhub

EXPOSE 8000
# Liveness of the web process (docker-compose.yml gives the worker and beat checks of their own).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# The web service. Migrations are not run here: `python manage.py migrate` runs once per deployment (the
# `migrate` service in docker-compose.yml), so that replicas never race each other's migrations.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "partnerhub.wsgi"]
