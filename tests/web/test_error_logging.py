"""A server error leaves its traceback in stderr and var/log, without personal data
(issue 11 #9); optional reports to Sentry are redacted the same way."""

from __future__ import annotations

import io
import logging
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from vigie.lib.logs import init_sentry, scrub_event
from vigie.lib.tokens import make_token

ADDRESS = "jean.dupont@exemple.fr"


@pytest.fixture
def stderr() -> Iterator[io.StringIO]:
    """What the stderr handler of Django's loggers writes."""
    buffer = io.StringIO()
    handlers = [
        h
        for h in logging.getLogger("django").handlers
        if type(h) is logging.StreamHandler  # the console, not the file
    ]
    assert handlers, "Django's records go to stderr"
    old = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, old, strict=True):
        handler.setStream(stream)


def _crash(monkeypatch: pytest.MonkeyPatch) -> str:
    """The unsubscribe view raises, quoting the token and an address."""
    token = make_token(uuid.uuid4(), "all")

    def broken(raw: str) -> Any:
        raise RuntimeError(f"database gone while reading {raw} of {ADDRESS}")

    monkeypatch.setattr("vigie.consent.services.person_for_token", broken)
    return token


@pytest.mark.django_db
def test_a_500_is_logged_with_its_traceback_to_stderr_and_the_log_file(
    client: Client, stderr: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _crash(monkeypatch)
    client.raise_request_exception = False
    response = client.post(f"/u/{token}", {"secret-field": "body-" + ADDRESS})
    assert response.status_code == 500

    log_file = Path(settings.LOG_FILE)
    written = log_file.read_text(encoding="utf-8")
    for text in (stderr.getvalue(), written):
        assert "Internal Server Error: /u/…" in text
        assert "Traceback (most recent call last)" in text
        assert "RuntimeError: database gone while reading" in text
        assert "in broken\n" in text
        assert token not in text and token[:16] not in text
        assert ADDRESS not in text and "jean.dupont" not in text
        assert "body-" not in text  # no request body
    # Only the account running Vigie reads the logs.
    assert log_file.parent == Path(settings.VAR_DIR) / "log"
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600


def test_sentry_events_carry_no_request_data_token_or_address() -> None:
    token = make_token(uuid.uuid4(), "all")
    event = {
        "request": {
            "url": f"https://vigie.example/u/{token}",
            "query_string": f"q={ADDRESS}",
            "data": {"email": ADDRESS},
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": "Bearer vigie_0123456789ab_secret"},
            "method": "POST",
        },
        "user": {"email": ADDRESS, "ip_address": "192.0.2.1"},
        "exception": {"values": [{"type": "ValueError", "value": f"bad {ADDRESS} {token}"}]},
        "breadcrumbs": {"values": [{"message": f"GET /preferences/{token}?q={ADDRESS}"}]},
    }
    scrubbed = repr(scrub_event(event))
    assert token not in scrubbed and token[:16] not in scrubbed
    assert ADDRESS not in scrubbed
    assert "sessionid" not in scrubbed and "Bearer" not in scrubbed and "192.0.2.1" not in scrubbed
    assert "ValueError" in scrubbed and "https://vigie.example/u/…" in scrubbed


@pytest.mark.django_db
def test_with_a_dsn_a_500_is_reported_to_sentry_redacted(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sentry_sdk

    sent: list[dict[str, Any]] = []

    class Capture(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope: Any) -> None:
            for item in envelope.items:
                if item.type == "event":
                    sent.append(item.payload.json)

    token = _crash(monkeypatch)
    assert init_sentry("http://public@127.0.0.1:9/1", transport=Capture)
    try:
        client.raise_request_exception = False
        response = client.get(f"/u/{token}?email={ADDRESS}", HTTP_COOKIE="sessionid=s3cret")
        assert response.status_code == 500
        sentry_sdk.flush()
    finally:
        sentry_sdk.init(dsn=None)
    assert sent, "the error was reported"
    report = repr(sent)
    assert "RuntimeError" in report
    assert token not in report and token[:16] not in report
    assert ADDRESS not in report and "jean.dupont" not in report
    assert "s3cret" not in report
