"""`vigie dkim keygen` and the demo's DKIM key: a key written once with mode 0600, the
TXT record to publish, and mail signed with it that verifies against that record
(R38, issue 10 item 9)."""

from __future__ import annotations

import re
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import dkim
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.mail.conftest import DOMAIN
from vigie.audit.actor import Actor
from vigie.demo.signing import ensure_demo_signing
from vigie.mail.models import Status
from vigie.mail.services import queue_message
from vigie.mail.tasks import deliver_message

pytestmark = pytest.mark.django_db(databases=["default", "keys"])


def _keygen(*args: str) -> str:
    out = StringIO()
    call_command("dkim", "keygen", *args, stdout=out)
    return out.getvalue()


def _dnsfunc(name: str, value: str) -> Any:
    def lookup(asked: bytes, timeout: int = 5) -> bytes | None:
        return value.encode() if asked == f"{name}.".encode() else None

    return lookup


def _send_signed(smtp_server: Any, person: Any) -> bytes:
    message = queue_message(
        Actor.cli("test"), person, "newsletter", kind="marketing", purpose="newsletter"
    )
    deliver_message.call(str(message.pk))
    message.refresh_from_db()
    assert message.status == Status.SENT, message.last_error
    return smtp_server.messages[-1].raw


def test_keygen_prints_the_record_that_verifies_mail_sent_through_a_real_server(
    tmp_path: Path, settings: Any, smtp_server, person, audience
) -> None:
    path = tmp_path / "keys" / "dkim.pem"
    output = _keygen("--out", str(path), "--selector", "prod2026", "--domain", DOMAIN)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" in path.read_bytes()
    name = re.search(r"^  name:  (\S+)$", output, re.MULTILINE)
    value = re.search(r"^  value: (v=DKIM1; k=rsa; p=\S+)$", output, re.MULTILINE)
    assert name and value, output
    assert name[1] == f"prod2026._domainkey.{DOMAIN}"
    # The zone-file line splits the value into strings of at most 255 characters.
    zone = re.search(r"IN TXT \( (.*) \)$", output, re.MULTILINE)
    assert zone is not None
    strings = re.findall(r'"([^"]*)"', zone[1])
    assert "".join(strings) == value[1] and max(map(len, strings)) <= 255

    settings.DKIM_PRIVATE_KEY_PATH = str(path)
    settings.DKIM_SELECTOR, settings.DKIM_DOMAIN = "prod2026", DOMAIN
    raw = _send_signed(smtp_server, person)
    assert b"DKIM-Signature:" in raw
    assert dkim.verify(raw, dnsfunc=_dnsfunc(name[1], value[1]))
    # Another key's record does not verify it.
    other = _keygen("--out", str(tmp_path / "other.pem"), "--selector", "x", "--domain", DOMAIN)
    other_value = re.search(r"^  value: (\S.*)$", other, re.MULTILINE)
    assert other_value is not None
    assert not dkim.verify(raw, dnsfunc=_dnsfunc(name[1], other_value[1]))


def test_keygen_never_overwrites_a_key_and_refuses_bad_names(tmp_path: Path) -> None:
    path = tmp_path / "dkim.pem"
    path.write_text("existing")
    with pytest.raises(CommandError, match="already exists"):
        _keygen("--out", str(path), "--domain", DOMAIN)
    assert path.read_text() == "existing"
    fresh = tmp_path / "fresh.pem"
    with pytest.raises(CommandError, match="not a valid domain"):
        _keygen("--out", str(fresh), "--domain", "pas un domaine")
    with pytest.raises(CommandError, match="not a valid DKIM selector"):
        _keygen("--out", str(fresh), "--selector", "a b", "--domain", DOMAIN)
    assert not fresh.exists()


def test_the_demo_key_is_made_once_under_var_and_signs_what_the_demo_sends(
    tmp_path: Path, settings: Any, smtp_server, person, audience
) -> None:
    settings.DKIM_DOMAIN = ""
    first = ensure_demo_signing(tmp_path)
    assert first is not None and first.created
    assert first.path == tmp_path / f"dkim-{settings.DKIM_SELECTOR}.pem"
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    # The register's service sender gives the domain.
    assert first.domain == "semi-informatique.com"
    key = first.path.read_bytes()
    second = ensure_demo_signing(tmp_path)
    assert second is not None and not second.created
    assert second.path.read_bytes() == key and second.record == first.record

    for name, value in first.environment().items():
        setattr(settings, name.removeprefix("VIGIE_"), value)
    raw = _send_signed(smtp_server, person)
    assert dkim.verify(raw, dnsfunc=_dnsfunc(first.record.name, first.record.value))


def test_keygen_says_why_when_the_key_folder_cannot_be_made(tmp_path: Path) -> None:
    """A clear error (exit status 1), not a traceback: here the folder is a file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(CommandError, match="not-a-folder"):
        _keygen("--out", str(blocker / "dkim.pem"), "--domain", DOMAIN)
    assert blocker.read_text() == ""


def test_keygen_before_the_database_is_made_asks_for_the_domain(tmp_path: Path) -> None:
    """Run on a new host before `vigie migrate`: no register to take the domain from, so
    a clear error and exit status 1, not a traceback; with --domain, the key is made."""
    from tests.conftest import run_vigie

    env = {
        "VIGIE_VAR_DIR": str(tmp_path),
        "VIGIE_DATABASE_URL": f"sqlite:///{tmp_path / 'vigie.sqlite3'}",
    }
    key = tmp_path / "dkim.pem"
    result = run_vigie("dkim", "keygen", "--out", str(key), env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "--domain" in result.stderr
    assert not key.exists()
    made = run_vigie("dkim", "keygen", "--out", str(key), "--domain", DOMAIN, env=env)
    assert made.returncode == 0, made.stderr
    assert key.exists()


def test_keygen_refuses_a_key_size_receivers_need_not_verify(tmp_path: Path) -> None:
    """RFC 8301 §3.2: verifiers must handle 1024 to 4096 bits; a larger key would sign mail
    that receivers may reject (and a huge size never finishes): refused, nothing written."""
    path = tmp_path / "dkim.pem"
    with pytest.raises(CommandError, match="4096"):
        _keygen("--out", str(path), "--domain", DOMAIN, "--bits", "4104")
    assert not path.exists()
