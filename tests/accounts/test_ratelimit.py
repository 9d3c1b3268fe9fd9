"""The rate limit of public forms is counted in the database: every web worker and
every restart see the same count, the increment is atomic, and only keyed hashes of
the IP or the address are stored."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.conftest import ROOT, run_vigie
from vigie.accounts.models import RateCounter
from vigie.accounts.ratelimit import Limit, Verdict, allow, expired_counters, public_form_verdict
from vigie.accounts.tasks import DAILY_TASKS, purge_rate_counters_task
from vigie.jobs.services import daily_tasks

pytestmark = pytest.mark.django_db

HITS = 20
LIMIT = 25
# One web worker: Django set up from the real settings, counting HITS requests of one
# client as fast as it can from a common start time.
WORKER = f"""
import os, sys, time
import django
django.setup()
from vigie.accounts.ratelimit import Limit, count_request
limit = Limit("test-form:ip", {LIMIT})
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.002)
counts = [count_request(limit, "192.0.2.7") for _ in range({HITS})]
print(sum(1 for c in counts if c <= {LIMIT}), max(counts))
"""


def _worker_database(tmp_path: Path) -> str:
    """The database the worker processes share: this test's PostgreSQL database, or a
    migrated SQLite file (the in-memory test database cannot be shared)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    url = f"sqlite:///{tmp_path / 'vigie.sqlite3'}"
    migrated = run_vigie("migrate", env=_env(tmp_path, url))
    assert migrated.returncode == 0, migrated.stderr
    return url


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "DJANGO_"))}
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "vigie.settings",
        "VIGIE_VAR_DIR": str(tmp_path),
        "VIGIE_SECRET_KEY": settings.SECRET_KEY,
        "VIGIE_HTTPS": "0",
        "VIGIE_DATABASE_URL": url,
        "VIGIE_KEYS_DATABASE_URL": f"sqlite:///{tmp_path / 'keys.sqlite3'}",
    }


@pytest.mark.django_db(transaction=True)
def test_the_rate_limit_is_shared_by_every_web_worker(tmp_path: Path) -> None:
    """`vigie serve` starts several worker processes: two of them counting the same
    client at the same moment share one count, and exactly LIMIT requests pass."""
    env = _env(tmp_path, _worker_database(tmp_path))
    start = str(time.time() + 4)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, start],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        allowed, highest = out.split()
        results.append((int(allowed), int(highest)))
    assert sum(allowed for allowed, _ in results) == LIMIT
    assert max(highest for _, highest in results) == 2 * HITS
    if connection.vendor == "postgresql":
        assert RateCounter.objects.get().count == 2 * HITS


# Committed counts and a closed connection: what a restarted worker finds.
@pytest.mark.django_db(transaction=True)
def test_the_count_survives_a_restart_of_the_web_workers() -> None:
    limit = Limit("test-form:address", 3)
    assert [allow(limit, "index-of-jeanne") for _ in range(3)] == [True] * 3
    # What a restart forgets: the process's cache and its database connection.
    cache.clear()
    connection.close()
    assert allow(limit, "index-of-jeanne") is False


def test_only_a_keyed_hash_of_the_ip_or_the_address_is_stored() -> None:
    public_form_verdict("test-form", ip="192.0.2.7", address_key="jeanne@exemple.fr")
    stored = list(RateCounter.objects.values_list("scope", "key"))
    assert {scope for scope, _ in stored} == {"test-form:ip", "test-form:address"}
    for _, key in stored:
        assert len(key) == 64 and "192.0.2" not in key and "jeanne" not in key


def test_the_client_ip_is_counted_before_the_address(settings) -> None:
    settings.RATE_LIMIT_PER_IP = 2
    settings.RATE_LIMIT_PER_ADDRESS = 1
    verdicts = [public_form_verdict("test-form", ip="192.0.2.7", address_key="a") for _ in range(3)]
    assert verdicts == [Verdict.ALLOWED, Verdict.ADDRESS_LIMITED, Verdict.IP_LIMITED]
    # Without a client IP (a test client, a proxy that hides it) the address still counts.
    assert public_form_verdict("test-form", ip=None, address_key="b") is Verdict.ALLOWED
    assert public_form_verdict("test-form", ip=None, address_key="b") is Verdict.ADDRESS_LIMITED


def test_a_new_window_starts_a_new_count() -> None:
    limit = Limit("test-form:ip", 1)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 59, tzinfo=dt.UTC), tick=False):
        assert allow(limit, "192.0.2.7") is True
        assert allow(limit, "192.0.2.7") is False
    with time_machine.travel(dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC), tick=False):
        assert allow(limit, "192.0.2.7") is True


def test_the_daily_task_deletes_the_counters_of_past_windows() -> None:
    limit = Limit("test-form:ip", 5)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC), tick=False):
        allow(limit, "192.0.2.7")
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC), tick=False):
        allow(limit, "192.0.2.8")
        assert expired_counters().count() == 1
        assert purge_rate_counters_task.call() == 1
    assert RateCounter.objects.count() == 1
    assert purge_rate_counters_task in DAILY_TASKS and purge_rate_counters_task in daily_tasks()
