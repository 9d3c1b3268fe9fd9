"""No link token, e-mail address or search term in any log line (issue 10 #7, issue 11 #8).

Real requests go through the configured logging (Django's loggers, the development
server's request lines, Vigie's own): every record that reaches a handler, its
message, its arguments and its traceback, and what the handlers write to stderr and
to the log file, are searched for the token and the address.
"""

from __future__ import annotations

import http.client
import io
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.test.testcases import QuietWSGIRequestHandler
from django.urls import get_resolver
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from vigie.accounts.permissions import Role
from vigie.audit.actor import Actor
from vigie.lib.redaction import redact, token_route_prefixes
from vigie.lib.tokens import make_token
from vigie.people.services import create_person

ADDRESS = "laetitia.techer@laposte.net"
WATCHED = ("django", "django.server", "django.request", "vigie", "gunicorn.error")


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class LogCapture:
    def __init__(self) -> None:
        self.recorder = _Recorder()
        self.streams: list[tuple[logging.StreamHandler[Any], Any, io.StringIO]] = []

    def texts(self) -> list[str]:
        """Each record's formatted message, raw message, arguments and traceback, the
        handlers' output (stderr) and the log file."""
        texts: list[str] = []
        for record in self.recorder.records:
            texts += [record.getMessage(), str(record.msg), repr(record.args)]
            texts.append(record.exc_text or "")
        texts += [buffer.getvalue() for _handler, _old, buffer in self.streams]
        if getattr(settings, "LOG_FILE", ""):
            with open(settings.LOG_FILE, encoding="utf-8") as log_file:
                texts.append(log_file.read())
        return texts

    def joined(self) -> str:
        return "\n".join(self.texts())


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    capture = LogCapture()
    seen: set[int] = set()
    for name in WATCHED:
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and id(handler) not in seen
            ):
                seen.add(id(handler))
                buffer = io.StringIO()
                capture.streams.append((handler, handler.setStream(buffer), buffer))
        # Appended after the configured handlers: it sees each record as they left it.
        logger.addHandler(capture.recorder)
    start = capture.recorder.records
    assert start == []
    yield capture
    for name in WATCHED:
        logging.getLogger(name).removeHandler(capture.recorder)
    for handler, old, _buffer in capture.streams:
        handler.setStream(old)


def _assert_clean(capture: LogCapture, *secrets: str) -> None:
    text = capture.joined()
    for secret in secrets:
        assert secret not in text, f"{secret[:12]}… reached a log"
    assert ADDRESS not in text
    assert ADDRESS.replace("@", "%40") not in text
    assert "laetitia" not in text


def test_every_route_with_a_token_is_found_in_the_url_conf() -> None:
    prefixes = token_route_prefixes()
    assert {"/u/", "/preferences/", "/newsletter/confirm/"} <= set(prefixes)
    # And each one, with a token, is redacted (a new link kind needs no list update).
    routes = [
        str(p.pattern) for p in get_resolver().url_patterns if "token" in str(p.pattern)
    ] + prefixes
    token = make_token(uuid.uuid4(), "all")
    for prefix in prefixes:
        assert token not in redact(f'"GET {prefix}{token} HTTP/1.1" 200')
        assert token[:10] not in redact(f"Not Found: {prefix}{token}")
    assert routes


def test_redaction_keeps_what_the_operator_needs() -> None:
    line = 'GET /backoffice/outbox/ 200 127.0.0.1:8000 "ValueError: bad date" mail 12 sent'
    assert redact(line) == line
    assert redact("search /backoffice/people/?q=x%40y.fr&page=2") == (
        "search /backoffice/people/?…"
    )
    assert redact("550 5.1.1 <jean.dupont@exemple.fr>: user unknown") == (
        "550 5.1.1 <[address]>: user unknown"
    )


@pytest.mark.django_db(databases=["default", "keys"])
def test_token_links_leave_no_token_in_django_logs(client: Client, logs: LogCapture) -> None:
    person = create_person(Actor.cli("test"), email=ADDRESS, first_name="Laetitia")
    token = make_token(person.pk, "newsletter")
    forged = make_token(uuid.uuid4(), "all")[:-6] + "AAAAAA"
    for prefix in token_route_prefixes():
        client.get(prefix + token)
        client.get(prefix + forged)  # a refused link: Django logs "Not Found: <path>"
        client.put(prefix + forged)
    assert logs.recorder.records, "the refused links were logged"
    _assert_clean(logs, token, forged)


@pytest.mark.django_db(databases=["default", "keys"])
def test_a_server_error_on_a_token_url_logs_no_token(
    client: Client, logs: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_token(uuid.uuid4(), "all")

    def broken(raw: str) -> Any:
        raise RuntimeError(f"cannot read {raw} for {ADDRESS}")

    monkeypatch.setattr("vigie.consent.services.person_for_token", broken)
    client.raise_request_exception = False
    assert client.get(f"/u/{token}").status_code == 500
    text = logs.joined()
    assert "RuntimeError: cannot read" in text  # the traceback is there…
    _assert_clean(logs, token)  # …without the token or the address


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_real_requests_to_links_and_a_search_by_address_log_neither(
    live_server: Any, make_staff: Any, logs: LogCapture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The development server's request lines (``django.server``), as `runserver` logs them."""
    monkeypatch.setattr(QuietWSGIRequestHandler, "log_message", WSGIRequestHandler.log_message)
    person = create_person(Actor.cli("test"), email=ADDRESS, first_name="Laetitia")
    token = make_token(person.pk, "newsletter")
    staff = make_staff(Role.PRIVACY_LEAD)
    client = Client()
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=staff).persistent_id
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    paths = [
        f"/u/{token}",
        f"/preferences/{token}",
        f"/newsletter/confirm/{token}",
        "/backoffice/people/?q=" + ADDRESS.replace("@", "%40"),
        f"/backoffice/people/?q={ADDRESS}",
        "/backoffice/consent/?email=" + ADDRESS.replace("@", "%40"),
    ]
    statuses: list[int] = []
    host, port = live_server.url.removeprefix("http://").split(":")
    for path in paths:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        connection.close()
        assert connection.sock is None
    deadline = time.monotonic() + 10  # the server logs a request once it has answered
    while time.monotonic() < deadline:
        lines = [r.getMessage() for r in logs.recorder.records if r.name == "django.server"]
        if len(lines) >= len(paths):
            break
        time.sleep(0.05)
    assert len(lines) == len(paths)
    # Each page answered (the consent search finds the person and redirects to them).
    assert statuses == [200, 200, 200, 200, 200, 302], lines
    assert '"GET /backoffice/people/?… HTTP/1.1" 200' in lines[3]
    _assert_clean(logs, token)


@pytest.mark.parametrize(
    "address",
    [
        "jean@exämple.fr",  # an internationalised domain, as Django's EmailField accepts it
        "andré.gide@example.com",
        "jöhn.doe@example.com",
        "山田@例え.jp",
    ],
)
def test_addresses_with_letters_outside_ascii_are_redacted_whole(address: str) -> None:
    line = f"Key (email)=({address}) already exists; 550 <{address}>: user unknown"
    redacted = redact(line)
    assert address.split("@")[0] not in redacted
    assert address.split("@")[1] not in redacted
    assert redacted == "Key (email)=([address]) already exists; 550 <[address]>: user unknown"


@pytest.mark.django_db(databases=["default", "keys"])
def test_an_address_in_a_path_logged_escaped_by_django_is_redacted(
    client: Client, logs: LogCapture
) -> None:
    """Django logs a refused path with its non-ASCII letters escaped (``ex\\xe4mple``)."""
    for address in ("jean@exämple.fr", "andré@example.com", "jean@ex%C3%A4mple.fr"):
        assert client.get(f"/api/v1/nope/{address}").status_code == 404
        assert client.get(f"/nope/{address}").status_code == 404
    text = logs.joined()
    assert text.count("Not Found:") >= 6
    for part in ("jean", "mple.fr", "andr"):
        assert part not in text


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_the_worker_logs_a_failed_task_without_the_address_it_quotes(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`vigie worker` (django-tasks' db_worker) logs a failed task with its traceback
    through the same redacting handlers, not through a handler of its own."""
    from django.core.management import call_command

    from tests.jobs.tasks import fails_quoting_an_address

    # As in production: nothing on the root logger (pytest puts its capture there).
    monkeypatch.setattr(logging.root, "handlers", [])
    for name in ("django_tasks", "django_tasks_db"):
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    console = next(
        h
        for h in logging.getLogger("vigie").handlers
        if type(h) is logging.StreamHandler  # not the file handler (a subclass)
    )
    buffer = io.StringIO()
    monkeypatch.setattr(console, "stream", buffer)
    fails_quoting_an_address.enqueue(ADDRESS)
    call_command("worker", "--batch")
    out, err = capfd.readouterr()
    text = out + err + buffer.getvalue()
    if getattr(settings, "LOG_FILE", ""):
        with open(settings.LOG_FILE, encoding="utf-8") as log_file:
            text += log_file.read()
    assert "RuntimeError: Key (email)=([address]) already exists" in text
    assert ADDRESS not in text
    assert "laetitia" not in text


@pytest.mark.parametrize(
    "line",
    [
        "Invalid HTTP_HOST header: '" + "a" * 30_000 + "'",  # a long run, no @ nor :
        "Not Found: /" + "b" * 30_000 + "@",
        "-" * 30_000 + ":",
    ],
)
def test_redacting_a_long_line_takes_time_linear_in_its_length(line: str) -> None:
    """Every log line goes through the filter, in the request's worker: a request whose
    header or path holds a long run must not cost seconds of CPU."""
    started = time.monotonic()
    redact(line)
    assert time.monotonic() - started < 1.0


def test_a_token_or_an_address_inside_a_longer_run_is_still_found() -> None:
    token = make_token(uuid.uuid4(), "all")
    assert token not in redact(f"link=/u/{token}; next {token}, .{token}")
    assert redact("x/people/jean.dupont+news@exemple.fr") == "[address]"
    assert redact("(jean@exemple.fr)") == "([address])"
