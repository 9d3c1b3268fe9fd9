"""The access log of `vigie serve` holds no search term, address or link token."""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace

from gunicorn.config import Config

from vigie.lib.tokens import make_token
from vigie.web.access_log import RedactingLogger, redact_path


def _line(raw_uri: str, referer: str | None = None) -> str:
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": raw_uri.split("?")[0],
        "QUERY_STRING": raw_uri.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "test",
    }
    if referer:
        environ["HTTP_REFERER"] = referer
    resp = SimpleNamespace(status="200 OK", sent=12, headers=[])
    req = SimpleNamespace(headers=[("REFERER", referer or "")])
    atoms = logger.atoms(resp, req, environ, datetime.timedelta(milliseconds=3))
    return logger.cfg.access_log_format % atoms


def test_a_people_search_leaves_no_name_or_address_in_the_log() -> None:
    line = _line("/backoffice/people/?q=laetitia.techer%40laposte.net")
    assert "laetitia" not in line
    assert "laposte" not in line
    assert "/backoffice/people/" in line


def test_a_link_token_in_the_path_or_the_referer_is_redacted() -> None:
    token = make_token(uuid.uuid4(), "all")
    line = _line(f"/u/{token}/", referer=f"http://127.0.0.1:8000/preferences/{token}/?x=1")
    assert token not in line
    assert token[:20] not in line
    assert '"GET /u/…/ HTTP/1.1" 200' in line


def test_short_plain_paths_are_kept_for_the_operator() -> None:
    assert redact_path("/backoffice/outbox/?status=failed") == "/backoffice/outbox/"
    assert redact_path("/politique-de-confidentialite/v2/") == "/politique-de-confidentialite/v2/"


def test_gunicorn_s_error_log_is_redacted_too() -> None:
    """Gunicorn logs ``Error handling request <uri>`` with the full path and query."""
    import io
    import logging

    logger = RedactingLogger(Config())
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    logger.error_log.addHandler(handler)
    token = make_token(uuid.uuid4(), "all")
    try:
        try:
            raise RuntimeError(f"reading /preferences/{token}")
        except RuntimeError:
            logger.exception("Error handling request %s", f"/u/{token}?q=ann%40exemple.fr")
    finally:
        logger.error_log.removeHandler(handler)
    text = buffer.getvalue()
    assert "Error handling request /u/…?…" in text
    assert "RuntimeError: reading /preferences/…" in text
    assert token not in text and token[:16] not in text and "exemple" not in text
