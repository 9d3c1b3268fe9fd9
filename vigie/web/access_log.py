"""The web server's access log without personal data or link tokens.

Gunicorn's default access log writes the full request line and the Referer. In Vigie
those carry what must never reach a log (R30, Art. 32): a search for a name or an
address in a query string (`/backoffice/people/?q=…`), and the signed tokens of
unsubscribe, preference and confirmation links in the path (`/u/<token>/`). This
logger keeps the method, a redacted path, the status and the timing: enough to
operate the server, nothing that identifies a person or opens their preferences.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

from vigie.lib.redaction import RedactingFilter

#: A path segment that may be a token or an address: signed (``:`` separates the parts
#: of a django.core.signing token), holding an ``@``, or a long opaque run (slugs and
#: UUIDs have hyphens and are kept).
_SECRET_SEGMENT = re.compile(r"[:@]|%40|%3a|^[A-Za-z0-9_.]{32,}$", re.IGNORECASE)
REDACTED = "…"


def redact_path(path: str) -> str:
    """The path with its query string dropped and token-like segments replaced."""
    path = urlsplit(path or "").path or "/"
    segments = [REDACTED if _SECRET_SEGMENT.search(s) else s for s in path.split("/")]
    return "/".join(segments)


class RedactingLogger(Logger):
    """Gunicorn's logger, with request line, path, query and Referer redacted.

    Its error log (``Error handling request /u/<token>``) and the access log also go
    through :class:`~vigie.lib.redaction.RedactingFilter`, like Django's records.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactingFilter) for f in logger.filters):
                logger.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact_path(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["U"] = path
        atoms["q"] = ""
        referer = environ.get("HTTP_REFERER")
        atoms["f"] = redact_path(referer) if referer else "-"
        for key in [k for k in atoms if k.startswith("{") and k.endswith("}i")]:
            if key in ("{referer}i", "{cookie}i", "{authorization}i"):
                atoms[key] = REDACTED
        return atoms
