"""`vigie check --deploy` warns when the register names a privacy contact that Vigie
does not read (no IMAP server configured, R78)."""

from __future__ import annotations

import pytest

from vigie.mail.checks import check_privacy_mailbox_read

pytestmark = pytest.mark.django_db


def test_it_warns_when_the_privacy_contact_is_not_read(settings) -> None:
    settings.IMAP_HOST = ""
    [warning] = check_privacy_mailbox_read()
    assert warning.id == "vigie.mail.W001"
    assert "VIGIE_IMAP_HOST" in warning.hint


def test_no_warning_once_an_imap_server_is_configured(settings) -> None:
    settings.IMAP_HOST = "imap.semi-informatique.com"
    assert check_privacy_mailbox_read() == []


def test_no_warning_without_a_register(settings, monkeypatch) -> None:
    from vigie.lib import controller

    settings.IMAP_HOST = ""
    monkeypatch.setattr(controller, "_provider", None)
    assert check_privacy_mailbox_read() == []
