"""Where Vigie's logs go: stderr and a private rotating file, every line redacted.

A server error (500) is logged by Django (``django.request``) with its traceback;
without a handler of its own Django writes it nowhere once ``DEBUG`` is off. Here
every record of Django and Vigie goes to stderr and to
``var/log/vigie.log`` (rotated, the directory 0700 and the files 0600), through
:class:`~vigie.lib.redaction.RedactingFilter`: no token, address or query string.
Gunicorn (``vigie serve``) writes its own error and access logs to stderr, through the
same filter (:class:`vigie.web.access_log.RedactingLogger`). Request bodies are never
logged. Optional error reports go to Sentry
(``VIGIE_SENTRY_DSN``), redacted the same way (:func:`init_sentry`).
"""

from __future__ import annotations

import logging.handlers
import os
from pathlib import Path
from typing import Any

from vigie.lib.redaction import redact, redact_value

FORMAT = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"
MAX_BYTES = 10 * 1024 * 1024
BACKUP_COUNT = 5


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file in a directory only its owner can enter (0700), files 0600."""

    def __init__(self, filename: str, *args: Any, **kwargs: Any) -> None:
        path = Path(filename)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        super().__init__(filename, *args, **kwargs)

    def _open(self) -> Any:
        previous = os.umask(0o077)
        try:
            stream = super()._open()
        finally:
            os.umask(previous)
        os.chmod(self.baseFilename, 0o600)
        return stream


def logging_config(*, level: str, log_file: str) -> dict[str, Any]:
    """The ``LOGGING`` setting: stderr, and ``log_file`` unless it is empty."""
    handlers: dict[str, Any] = {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact"],
            "formatter": "plain",
        }
    }
    if log_file:
        handlers["file"] = {
            "()": "vigie.lib.logs.PrivateRotatingFileHandler",
            "filename": log_file,
            "maxBytes": MAX_BYTES,
            "backupCount": BACKUP_COUNT,
            "encoding": "utf-8",
            "filters": ["redact"],
            "formatter": "plain",
        }
    names = list(handlers)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "vigie.lib.redaction.RedactingFilter"}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": handlers,
        "loggers": {
            "vigie": {"handlers": names, "level": level},
            "vigie.security": {"handlers": names, "level": "WARNING", "propagate": False},
            # 500s (with their traceback) and refused requests; Django's own console
            # handler is silent when DEBUG is off.
            "django": {"handlers": names, "level": "WARNING"},
            # `vigie worker` (django-tasks' db_worker): a failed task is logged with its
            # traceback, whose message may quote an address. Without a handler here,
            # db_worker adds its own, unredacted, writing to stdout.
            "django_tasks": {"handlers": names, "level": "INFO", "propagate": False},
            "django_tasks_db": {"handlers": names, "level": "INFO", "propagate": False},
            # `runserver`'s request lines (development only).
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry ``before_send``: the event without tokens, addresses or request data."""
    request = event.get("request")
    if isinstance(request, dict):
        # The method and the redacted URL only: no body, cookie, header or query.
        event["request"] = {
            "method": request.get("method"),
            "url": redact(str(request.get("url") or "")),
        }
    event.pop("user", None)
    return redact_value(event)


def init_sentry(dsn: str, *, environment: str = "", release: str = "", **options: Any) -> bool:
    """Send errors to Sentry when a DSN is set; never personal data (R30).

    ``options`` go to ``sentry_sdk.init`` as they are (the tests pass a transport)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,  # type: ignore[arg-type]
        before_breadcrumb=lambda crumb, hint: redact_value(crumb),
        traces_sample_rate=0.0,
        **options,
    )
    return True
