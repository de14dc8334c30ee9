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
    MEDIA_ROOT=/data/media

WORKDIR /app

# Dependencies first, from the lock file only, so this layer survives code changes.
COPY pyproject.toml uv.lock .python-version ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

COPY . .
RUN python manage.py compilemessages --ignore=.venv --ignore=.tools --verbosity=0

RUN useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin partnerhub \
    && mkdir -p /app/staticfiles /data/media /data/cache \
    && chown -R partnerhub:partnerhub /app/staticfiles /data
USER partnerhub

EXPOSE 8000
# The web service; docker-compose.yml runs the worker and beat from the same image with another command.
CMD ["sh", "-c", "python manage.py collectstatic --no-input --verbosity=0 && python manage.py migrate --no-input && exec gunicorn partnerhub.wsgi --bind 0.0.0.0:8000 --access-logfile -"]
