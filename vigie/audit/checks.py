"""``vigie check --deploy``: is the audit log out of reach of the one who can write it?

The chain's anchor is only worth something where the main database's writer cannot
rewrite it (vigie/audit/anchoring.py). Two SQLite files in the same ``var/`` share one
writer: whoever can empty ``vigie.sqlite3`` can empty ``keys.sqlite3`` too. On
PostgreSQL, the application must not own the audit tables (vigie/audit/roles.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

SQLITE = "django.db.backends.sqlite3"


def _same_database(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all(str(a.get(k) or "") == str(b.get(k) or "") for k in keys)


@register(Tags.security, deploy=True)
def check_audit_anchor(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    return anchor_warnings(settings.DATABASES["default"], settings.DATABASES.get("keys", {}))


def anchor_warnings(main: Mapping[str, Any], keys: Mapping[str, Any]) -> list[Warning]:
    if not keys or _same_database(main, keys):
        return [
            Warning(
                "The audit log has no anchor outside its own database: "
                "VIGIE_KEYS_DATABASE_URL names the main database.",
                hint="Give the key store its own database, with its own credentials "
                "(docs/deployment.md).",
                id="vigie.audit.W001",
            )
        ]
    if main["ENGINE"] == SQLITE and keys.get("ENGINE") == SQLITE:
        return [
            Warning(
                "The audit log sits on SQLite and its anchor in a SQLite key store on the "
                "same machine: whoever can write one file can empty both, and the log "
                "would verify as intact.",
                hint="Set VIGIE_KEYS_DATABASE_URL to a PostgreSQL database the web "
                "server's system account cannot rewrite, or run on PostgreSQL with "
                "separate roles (docs/deployment.md).",
                id="vigie.audit.W002",
            )
        ]
    return []


@register(Tags.security, Tags.database, deploy=True)
def check_application_role(
    app_configs: Any = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[Warning]:
    """With ``--database default``: the role Vigie connects as must not own the log."""
    if not databases or "default" not in databases:
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tableowner = current_user FROM pg_tables WHERE tablename = 'audit_event'"
            )
            row = cursor.fetchone()
    except DatabaseError:
        return []
    if row and row[0]:
        return [
            Warning(
                "Vigie connects as the owner of the audit tables: it could disable their "
                "append-only triggers or drop them.",
                hint="Migrate as the owner, run `vigie grants APP_ROLE`, and serve as "
                "APP_ROLE (docs/deployment.md).",
                id="vigie.audit.W003",
            )
        ]
    return []
