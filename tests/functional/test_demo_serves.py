"""`vigie demo` serves the portal, back-office and API with a worker, until Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _get(url: str) -> tuple[int, dict[str, str], str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_demo_serves_in_french_and_english_with_a_worker(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIE_", "DJANGO_"))}
    env.update({"VIGIE_VAR_DIR": str(tmp_path), "VIGIE_BIND": f"127.0.0.1:{port}"})
    demo = subprocess.Popen(
        [sys.executable, "-m", "vigie", "demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _headers, body = _get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert demo.poll() is None, demo.stdout.read() if demo.stdout else ""
                assert time.monotonic() < deadline, "the demo did not start within 60 s"
                time.sleep(0.3)
        assert status == 200
        assert "Vos données personnelles chez SEMI INFORMATIQUE" in body
        _status, _h, english = _get(base + "/?lang=en")
        assert "Your personal data at SEMI INFORMATIQUE" in english
        status, headers, _body = _get(base + "/backoffice/")
        assert status == 302 and headers["Location"].startswith("/backoffice/login/")
        status, _h, schema = _get(base + "/api/v1/openapi.json")
        assert status == 200 and '"Vigie API"' in schema
        # The worker runs beside the server: the daily jobs get done.
        deadline = time.monotonic() + 30
        while True:
            with sqlite3.connect(tmp_path / "vigie.sqlite3") as db:
                done = db.execute(
                    "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                    "WHERE status = 'SUCCESSFUL'"
                ).fetchone()[0]
            if done >= 2:
                break
            assert time.monotonic() < deadline, "the worker ran no job within 30 s"
            time.sleep(0.5)
        children = _children(demo.pid)
        assert children, "the demo started no worker process"
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=30)
    # Ctrl-C stops everything, the worker included.
    time.sleep(0.5)
    assert all(not Path(f"/proc/{pid}").exists() for pid in children)
    output = demo.stdout.read() if demo.stdout else ""
    assert "login demo-admin" in output
    # The links printed (and those the e-mails carry) point where it serves.
    assert f"portal {base}/" in output
