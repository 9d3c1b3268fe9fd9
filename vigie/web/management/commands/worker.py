from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from vigie.jobs.services import enqueue_daily_jobs, reconcile_scheduled_calls, run_minute_sweeps

log = logging.getLogger("vigie.jobs")


class Command(BaseCommand):
    help = (
        "Run background jobs (django-tasks database worker), keep the daily schedule, "
        "re-enqueue scheduled calls whose run was lost and run each app's minute sweeps. "
        "Any number of workers may run, on any number of machines sharing the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="run what is due, then exit (for cron or tests)"
        )
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def schedule() -> None:
            while not stop.is_set():
                # Each step on its own: a failing daily job must not hold back the
                # sweep of deadlines, nor the other way round.
                for step in (enqueue_daily_jobs, reconcile_scheduled_calls, run_minute_sweeps):
                    try:
                        names = step()
                        if names and step is not run_minute_sweeps:
                            log.info("%s: %s", step.__name__, ", ".join(names))
                    except Exception:  # a schedule hiccup must not stop the worker
                        log.exception("%s failed; retrying in a minute", step.__name__)
                    finally:
                        close_old_connections()
                stop.wait(60)

        if options["batch"]:
            enqueue_daily_jobs()
            reconcile_scheduled_calls()
            run_minute_sweeps()
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
            return
        thread = threading.Thread(target=schedule, name="vigie-schedule", daemon=True)
        thread.start()
        try:
            call_command(
                "db_worker",
                "--interval",
                str(options["interval"]),
                "--no-reload",
                "--queue-name",
                "*",
            )
        finally:
            stop.set()
