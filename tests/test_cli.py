"""The vigie command: help, Vigie's commands, clear errors and non-zero exits."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.models import ApiKey, User
from vigie.cli import COMMANDS, main


def test_help_lists_vigies_commands(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_no_command_prints_usage_and_fails(capsys) -> None:
    assert main([]) == 2
    assert "usage: vigie" in capsys.readouterr().out


def test_createstaff_reads_the_password_and_records_the_role(db, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG_PASSWORD + "\n"))
    out = io.StringIO()
    call_command(
        "createstaff",
        "claire",
        "--email",
        "claire@semi.example",
        "--role",
        "sales",
        "--confidentiality-signed",
        "2026-11-02",
        "--gdpr-training",
        "2026-11-10",
        "--password-stdin",
        stdout=out,
    )
    user = User.objects.get(username="claire")
    assert user.role == "sales" and user.check_password(STRONG_PASSWORD)
    assert "Created staff account claire" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--role", "sales"], STRONG_PASSWORD, "formation RGPD|GDPR training"),
        ([], "Azerty12", "12"),
        (["--confidentiality-signed", "hier"], STRONG_PASSWORD, "is not a date"),
    ],
)
def test_createstaff_refuses_bad_input_and_writes_nothing(
    db, monkeypatch, args, password, message
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    with pytest.raises(CommandError, match=message):
        call_command("createstaff", "bad", "--email", "b@semi.example", "--password-stdin", *args)
    assert not User.objects.filter(username="bad").exists()


def test_apikey_create_prints_the_secret_once_and_revoke_works(db, make_staff) -> None:
    owner = make_staff("sales", username="claire")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "apikey",
        "create",
        "--owner",
        "claire",
        "--name",
        "crm",
        "--scope",
        "api:identity:view",
        stdout=out,
        stderr=err,
    )
    secret = out.getvalue().strip()
    key = ApiKey.objects.get(owner=owner)
    assert secret.startswith(f"vigie_{key.prefix}_")
    assert "shown only now" in err.getvalue()
    call_command("apikey", "revoke", key.prefix, stdout=io.StringIO())
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_apikey_errors_are_clear(db, make_staff) -> None:
    make_staff("sales", username="claire")
    with pytest.raises(CommandError, match="no staff account named 'nobody'"):
        call_command(
            "apikey", "create", "--owner", "nobody", "--name", "x", "--scope", "api:identity:view"
        )
    with pytest.raises(CommandError, match=r"owner.s role, or yours, does not allow|ne permet pas"):
        call_command(
            "apikey", "create", "--owner", "claire", "--name", "x", "--scope", "audit:log:view"
        )
    with pytest.raises(CommandError, match="no API key with prefix"):
        call_command("apikey", "revoke", "deadbeef")
