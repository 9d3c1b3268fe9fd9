from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the portal, back-office and API with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.SERVE_BIND)
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS)

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from vigie.wsgi import application

        class Server(BaseApplication):
            def load_config(self) -> None:
                self.cfg.set("bind", options["bind"])
                self.cfg.set("workers", options["workers"])
                self.cfg.set("accesslog", "-")
                # No query string, token or address in the access log (R30).
                self.cfg.set("logger_class", "vigie.web.access_log.RedactingLogger")
                self.cfg.set("proc_name", "vigie")

            def load(self) -> Any:
                return application

        self.stdout.write(f"Vigie on http://{options['bind']}/ (site URL {settings.SITE_URL})")
        Server().run()
