"""Sessions and login records do not outlive their retention."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessLog
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.conftest import STRONG_PASSWORD
from vigie.accounts.models import StaffSession
from vigie.accounts.tasks import clear_sign_in_traces


def test_it_clears_expired_sessions_and_old_login_records(client, make_staff) -> None:
    user = make_staff("sales")
    client.post("/backoffice/login/", {"username": user.username, "password": STRONG_PASSWORD})
    assert StaffSession.objects.count() == 1 and AccessLog.objects.count() == 1
    # Nothing is due yet.
    assert clear_sign_in_traces() == {
        "sessions": 0,
        "staff_sessions": 0,
        "login_logs": 0,
        "login_failures": 0,
    }
    later = timezone.now() + dt.timedelta(days=200)
    counts = clear_sign_in_traces(now=later)
    assert counts == {"sessions": 1, "staff_sessions": 1, "login_logs": 1, "login_failures": 0}
    assert not Session.objects.exists() and not StaffSession.objects.exists()
    assert not AccessLog.objects.exists()
