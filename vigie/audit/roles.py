"""The rights of the application's own database role on PostgreSQL (R29, Art. 32).

Migrations run as an owner role; the web server and the worker run as an application
role that owns nothing. Owning a table is what allows ``ALTER TABLE … DISABLE
TRIGGER`` and ``DROP TABLE``, so the application role can never switch off the
append-only triggers. On the audit tables it may only read and append (and move the
chain head forward); every other table it may read and write as usual. The purge of
old read events goes through ``vigie_audit_purge_read()``, which runs with its
owner's rights. ``vigie grants`` applies these statements as the owner, after each
``vigie migrate`` (docs/deployment.md).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

#: Audit tables in the main database → the only rights the application role keeps.
MAIN_AUDIT_RIGHTS = {
    "audit_event": "SELECT, INSERT",
    "audit_checkpoint": "SELECT, INSERT",
    # The head row is updated at each append; its signature and the anchor guard it.
    "audit_chainhead": "SELECT, INSERT, UPDATE",
    "django_migrations": "SELECT",
}
#: In the key store: the anchor moves forward (a trigger refuses anything else).
KEYS_AUDIT_RIGHTS = {"audit_anchor": "SELECT, INSERT, UPDATE", "django_migrations": "SELECT"}
PURGE_FUNCTION = "vigie_audit_purge_read(bigint)"


class GrantError(RuntimeError):
    """The grants cannot be applied here; the message says why."""


def grant_statements(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """The SQL that gives ``role`` the application's rights on ``connection``'s database."""
    if connection.vendor != "postgresql":
        raise GrantError("database roles are a PostgreSQL feature; SQLite has none")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), current_user")
        schema, current = cursor.fetchone()
        if role == current:
            raise GrantError(
                f"{role} is the role running this command (the owner): name the "
                "application's role, which must be another one"
            )
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            raise GrantError(f"no role {role}: create it first (CREATE ROLE … LOGIN)")
        tables = set(connection.introspection.table_names(cursor))
    who, where = quote(role), quote(schema)
    statements = [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
    ]
    restricted = MAIN_AUDIT_RIGHTS if "audit_event" in tables else KEYS_AUDIT_RIGHTS
    for table, rights in restricted.items():
        if table in tables:
            statements += [
                f"REVOKE ALL ON TABLE {quote(table)} FROM {who}",
                f"GRANT {rights} ON TABLE {quote(table)} TO {who}",
            ]
    if "audit_event" in tables:
        statements.append(f"GRANT EXECUTE ON FUNCTION {PURGE_FUNCTION} TO {who}")
    return statements


def apply_grants(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    statements = grant_statements(connection, role)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return statements
