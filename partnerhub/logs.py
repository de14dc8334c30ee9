"""Logging for whoever runs PartnerHub: one line per record, as JSON when LOG_FORMAT=json (for a log
collector), as plain text otherwise; and Sentry, when SENTRY_DSN is set.

Set up from settings.py. Nothing here reads request data beyond what the log record carries: no cookies, no
form data, no personal data is sent to Sentry (its `data_collection` options).
"""

import json
import logging
import traceback


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the traceback (one string) if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class OneLineFormatter(logging.Formatter):
    """Plain text, but a traceback stays on the record's line (newlines escaped), so one event is one line."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\\n")


def init_sentry(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> None:
    """Errors of web requests and Celery tasks to Sentry (the Django and Celery integrations switch on by
    themselves when those libraries are installed)."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        # Nothing about the visitor: no user, no request bodies, no local variables (they hold form data).
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
    )
