"""The hand-written SQL baseline of bench/sources_find.py: one GLPI person, found and erased.

Written by hand from what the shipped GLPI manifest says (its links, columns and
strategies), the way a developer would script it without Vigie: resolve the person's
ids, then one SELECT (find) or one UPDATE/DELETE (erase) per table. Identifier
quoting is the only thing that differs between PostgreSQL and MariaDB.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import sqlalchemy as sa

MASK = "[effacé]"

#: Personal columns per table, in the manifest's order (GLPI 11).
USERS = [
    "name",
    "password",
    "phone",
    "phone2",
    "mobile",
    "realname",
    "firstname",
    "is_active",
    "comment",
    "usertitles_id",
    "usercategories_id",
    "password_forget_token",
    "password_forget_token_date",
    "user_dn",
    "user_dn_hash",
    "registration_number",
    "personal_token",
    "personal_token_date",
    "api_token",
    "api_token_date",
    "cookie_token",
    "cookie_token_date",
    "picture",
    "sync_field",
    "users_id_supervisor",
    "nickname",
    "2fa",
    "password_history",
]
SUPPLIERS = [
    "name",
    "registration_number",
    "address",
    "postcode",
    "town",
    "state",
    "country",
    "website",
    "phonenumber",
    "comment",
    "fax",
    "email",
    "pictures",
]
CONTACTS = [
    "id",
    "name",
    "firstname",
    "registration_number",
    "phone",
    "phone2",
    "mobile",
    "fax",
    "email",
    "comment",
    "usertitles_id",
    "address",
    "postcode",
    "town",
    "state",
    "country",
    "pictures",
]

RAW_TABLES = [
    "glpi_users",
    "glpi_useremails",
    "glpi_tickets",
    "glpi_tickets_users",
    "glpi_itilfollowups",
    "glpi_tickettasks",
    "glpi_documents",
    "glpi_documents_items",
    "glpi_logs",
    "glpi_events",
    "glpi_computers",
    "glpi_ipaddresses",
    "glpi_suppliers",
    "glpi_contacts",
    "glpi_contacts_suppliers",
]


class Ids:
    """The person's ids in each GLPI table a manifest identity names."""

    def __init__(self, conn: sa.Connection, email: str) -> None:
        e = {"e": email.strip().lower()}
        one = conn.execute
        self.users = [
            r[0]
            for r in one(
                sa.text("SELECT users_id FROM glpi_useremails WHERE lower(trim(email)) = :e"), e
            )
        ]
        self.mail = [
            r[0]
            for r in one(
                sa.text(
                    "SELECT id FROM glpi_tickets_users WHERE lower(trim(alternative_email)) = :e"
                ),
                e,
            )
        ]
        self.contacts = [
            r[0]
            for r in one(sa.text("SELECT id FROM glpi_contacts WHERE lower(trim(email)) = :e"), e)
        ]
        self.suppliers = [
            r[0]
            for r in one(sa.text("SELECT id FROM glpi_suppliers WHERE lower(trim(email)) = :e"), e)
        ]
        self.logins = (
            sorted(
                r[0]
                for r in one(
                    sa.text("SELECT name FROM glpi_users WHERE id IN :u").bindparams(
                        sa.bindparam("u", expanding=True)
                    ),
                    {"u": self.users},
                )
                if r[0]
            )
            if self.users
            else []
        )


def _in(ids: list[Any]) -> str:
    """An IN list of integers written into the SQL (ids come from the database itself)."""
    return "(" + ",".join(str(int(i)) for i in ids) + ")" if ids else "(NULL)"


def _q(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _cols(conn: sa.Connection, names: list[str]) -> str:
    return ", ".join(_q(conn, n) for n in names)


def _where(ids: Ids) -> dict[str, str]:
    """Each table's hand-written condition for rows of the person (find: every link)."""
    u, m, c, s = _in(ids.users), _in(ids.mail), _in(ids.contacts), _in(ids.suppliers)
    requested = f"SELECT tickets_id FROM glpi_tickets_users WHERE users_id IN {u} AND type = 1"
    logs = " OR ".join(f"user_name LIKE '% ({int(i)})'" for i in ids.users) or "1 = 0"
    events = (
        " OR ".join(
            f"message LIKE '{login} log in from IP %' OR message LIKE 'Failed login for {login} "
            "from IP %'"
            for login in ids.logins
        )
        or "1 = 0"
    )
    return {
        "glpi_users": f"id IN {u}",
        "glpi_useremails": f"users_id IN {u}",
        "glpi_tickets": (
            f"id IN (SELECT tickets_id FROM glpi_tickets_users WHERE users_id IN {u} "
            f"AND type IN (1, 2, 3)) OR id IN (SELECT tickets_id FROM glpi_tickets_users "
            f"WHERE id IN {m} AND type = 1) OR users_id_recipient IN {u} "
            f"OR users_id_lastupdater IN {u}"
        ),
        "glpi_tickets_users": f"users_id IN {u} OR id IN {m}",
        "glpi_itilfollowups": (
            f"itemtype = 'Ticket' AND (users_id IN {u} OR users_id_editor IN {u} "
            f"OR items_id IN ({requested}))"
        ),
        "glpi_tickettasks": (
            f"users_id IN {u} OR users_id_tech IN {u} OR tickets_id IN ({requested})"
        ),
        "glpi_documents": f"users_id IN {u}",
        "glpi_documents_items": f"users_id IN {u} OR (items_id IN {u} AND itemtype = 'User')",
        "glpi_logs": f"(items_id IN {u} AND itemtype = 'User') OR {logs}",
        "glpi_events": events,
        "glpi_computers": f"users_id IN {u} OR users_id_tech IN {u}",
        "glpi_ipaddresses": (
            f"mainitemtype = 'Computer' AND mainitems_id IN "
            f"(SELECT id FROM glpi_computers WHERE users_id IN {u})"
        ),
        "glpi_suppliers": f"id IN {s}",
        "glpi_contacts": f"id IN {c}",
        "glpi_contacts_suppliers": f"contacts_id IN {c}",
    }


def _parts(conn: sa.Connection, ids: Ids) -> dict[str, list[str]]:
    """Ids first (issue 12), as the engine now does: the tickets and computers the
    person's links lead to are selected first; then each table's conditions are one
    column each (no subquery, no OR of two columns), each run on its own index."""
    u, m, c, s = _in(ids.users), _in(ids.mail), _in(ids.contacts), _in(ids.suppliers)

    def tickets(condition: str) -> str:
        sql = f"SELECT tickets_id FROM glpi_tickets_users WHERE {condition}"
        return _in(sorted({r[0] for r in conn.execute(sa.text(sql))}))

    involved = tickets(f"users_id IN {u} AND type IN (1, 2, 3)")
    by_mail = tickets(f"id IN {m} AND type = 1")
    requested = tickets(f"users_id IN {u} AND type = 1")
    sql = f"SELECT id FROM glpi_computers WHERE users_id IN {u}"
    owned = _in(sorted(r[0] for r in conn.execute(sa.text(sql))))
    logs = " OR ".join(f"user_name LIKE '% ({int(i)})'" for i in ids.users) or "1 = 0"
    events = (
        " OR ".join(
            f"message LIKE '{login} log in from IP %' OR message LIKE 'Failed login for {login} "
            "from IP %'"
            for login in ids.logins
        )
        or "1 = 0"
    )
    ticket = "itemtype = 'Ticket' AND "
    return {
        "glpi_users": [f"id IN {u}"],
        "glpi_useremails": [f"users_id IN {u}"],
        "glpi_tickets": [
            f"id IN {involved}",
            f"id IN {by_mail}",
            f"users_id_recipient IN {u}",
            f"users_id_lastupdater IN {u}",
        ],
        "glpi_tickets_users": [f"users_id IN {u}", f"id IN {m}"],
        "glpi_itilfollowups": [
            f"{ticket}users_id IN {u}",
            f"{ticket}users_id_editor IN {u}",
            f"{ticket}items_id IN {requested}",
        ],
        "glpi_tickettasks": [
            f"users_id IN {u}",
            f"users_id_tech IN {u}",
            f"tickets_id IN {requested}",
        ],
        "glpi_documents": [f"users_id IN {u}"],
        "glpi_documents_items": [f"users_id IN {u}", f"items_id IN {u} AND itemtype = 'User'"],
        "glpi_logs": [f"items_id IN {u} AND itemtype = 'User'", logs],
        "glpi_events": [events],
        "glpi_computers": [f"users_id IN {u}", f"users_id_tech IN {u}"],
        "glpi_ipaddresses": [f"mainitemtype = 'Computer' AND mainitems_id IN {owned}"],
        "glpi_suppliers": [f"id IN {s}"],
        "glpi_contacts": [f"id IN {c}"],
        "glpi_contacts_suppliers": [f"contacts_id IN {c}"],
    }


FIND_COLUMNS = {
    "glpi_users": USERS,
    "glpi_useremails": ["users_id", "email"],
    "glpi_tickets": ["name", "users_id_lastupdater", "users_id_recipient", "content"],
    "glpi_tickets_users": ["users_id", "alternative_email"],
    "glpi_itilfollowups": ["users_id", "users_id_editor", "content"],
    "glpi_tickettasks": ["users_id", "users_id_editor", "content", "users_id_tech"],
    "glpi_documents": ["name", "filename", "filepath", "comment", "link", "users_id"],
    "glpi_documents_items": ["users_id"],
    "glpi_logs": ["user_name", "old_value", "new_value", "old_id", "new_id"],
    "glpi_events": ["message"],
    "glpi_computers": ["name", "contact", "contact_num", "users_id_tech", "comment", "users_id"],
    "glpi_ipaddresses": ["name", "binary_0", "binary_1", "binary_2", "binary_3"],
    "glpi_suppliers": SUPPLIERS,
    "glpi_contacts": CONTACTS,
    "glpi_contacts_suppliers": ["contacts_id"],
}
#: Tables whose key is not ``id``.
KEYS: dict[str, str] = {}


def raw_find(url: str, email: str) -> dict[str, list[dict[str, Any]]]:
    """The person's rows, table by table: the personal columns and the key. Ids first:
    a table with one condition is read in one statement; one with several gets each
    condition's ids first (one statement each), then its rows by those ids."""
    engine = sa.create_engine(url)
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        with engine.connect() as conn:
            ids = Ids(conn, email)
            for table, parts in _parts(conn, ids).items():
                columns = FIND_COLUMNS[table]
                key = KEYS.get(table, "id")
                if len(parts) == 1:
                    condition = parts[0]
                else:
                    keys: set[Any] = set()
                    for part in parts:
                        keys |= set(_ids(conn, table, part))
                    condition = f"{_q(conn, key)} IN {_in(sorted(keys))}"
                sql = (
                    f"SELECT {_q(conn, key)}, {_cols(conn, columns)} FROM {table} "
                    f"WHERE {condition} ORDER BY {_q(conn, key)}"
                )
                rows = [
                    dict(zip(columns, row[1:], strict=True), _key=str(row[0]))
                    for row in conn.execute(sa.text(sql))
                ]
                if rows:
                    found[table] = sorted(rows, key=lambda r: r["_key"])
    finally:
        engine.dispose()
    return found


def _mask(conn: sa.Connection, column: str, value: str | int = MASK) -> str:
    """A mask keeps NULL as NULL, as the manifest's ``mask`` does."""
    literal = f"'{value}'" if isinstance(value, str) else str(value)
    q = _q(conn, column)
    return f"{q} = CASE WHEN {q} IS NULL THEN NULL ELSE {literal} END"


def _guarded(conn: sa.Connection, column: str, users: str) -> str:
    """A link column is set to 0 only where it holds the person (another link's person stays)."""
    q = _q(conn, column)
    return f"{q} = CASE WHEN {q} IN {users} THEN 0 ELSE {q} END"


def _ids(conn: sa.Connection, table: str, condition: str) -> list[Any]:
    return [r[0] for r in conn.execute(sa.text(f"SELECT id FROM {table} WHERE {condition}"))]


def _hash_rows(
    conn: sa.Connection, table: str, column: str, condition: str, key: bytes
) -> list[dict[str, Any]]:
    rows = conn.execute(sa.text(f"SELECT id, {_q(conn, column)} FROM {table} WHERE {condition}"))
    return [{"i": row[0], "h": hash_value(key, row[1], 64)} for row in rows if row[1] is not None]


def raw_erase(url: str, email: str, *, commit: bool = True) -> dict[str, Any]:
    """Erase the person as the GLPI manifest says, in one transaction; the archive index
    entries of the kept intervention reports are written to Vigie's own database.

    With ``commit=False`` the source's transaction is rolled back after a snapshot of
    the person's rows is taken (to compare with the engine on the same person), and
    the archive entries are returned instead of written.
    """
    from vigie.lib import keyring
    from vigie.lib.legal_calendar import retention_end
    from vigie.sources.archive import record_kept
    from vigie.sources.rules import register_rules
    from vigie.sources.types import KeptRow

    key = keyring.derive_key("vigie:sources:hash-column")
    rule = register_rules()["contract-services"]
    engine = sa.create_engine(url)
    result: dict[str, Any] = {}
    try:
        with engine.connect() as conn:
            before = {} if commit else raw_find_in(conn, email)
            ids = Ids(conn, email)
            u, m, c, s = _in(ids.users), _in(ids.mail), _in(ids.contacts), _in(ids.suppliers)
            where = _where(ids)
            # Ids first (a SELECT per table, on its indexes), then every UPDATE and
            # DELETE on primary keys: MariaDB runs an UPDATE or DELETE with an
            # IN (subquery), an OR of two columns or a LIKE as a scan of the whole table.
            requested = [
                r[0]
                for r in conn.execute(
                    sa.text(
                        f"SELECT tickets_id FROM glpi_tickets_users WHERE type = 1 "
                        f"AND (users_id IN {u} OR id IN {m})"
                    )
                )
            ]
            requester = f"id IN {_in(requested)}"
            owned = [
                r[0]
                for r in conn.execute(
                    sa.text(f"SELECT id FROM glpi_computers WHERE users_id IN {u}")
                )
            ]
            logs_like = " OR ".join(f"user_name LIKE '% ({int(i)})'" for i in ids.users) or "1 = 0"
            run = lambda sql, params=None: conn.execute(sa.text(sql), params or {})  # noqa: E731
            by_id = lambda table, condition: _in(_ids(conn, table, condition))  # noqa: E731
            # Dependents first.
            run(
                f"UPDATE glpi_tickets SET {_mask(conn, 'name')}, {_mask(conn, 'content')}, "
                f"{_guarded(conn, 'users_id_lastupdater', u)}, "
                f"{_guarded(conn, 'users_id_recipient', u)} WHERE {requester}"
            )
            followups = by_id("glpi_itilfollowups", f"itemtype = 'Ticket' AND users_id IN {u}")
            run(
                f"UPDATE glpi_itilfollowups SET users_id = 0, "
                f"{_guarded(conn, 'users_id_editor', u)}, {_mask(conn, 'content')} "
                f"WHERE id IN {followups}"
            )
            tasks = f"users_id IN {u} OR users_id_tech IN {u}"
            kept = [
                KeptRow(
                    "glpi_tickettasks",
                    str(row[0]),
                    "contract-services",
                    rule.legal_reference,
                    retention_end(row[1].date(), rule.period) if row[1] else None,
                )
                for row in run(f"SELECT id, {_q(conn, 'date')} FROM glpi_tickettasks WHERE {tasks}")
            ]
            run(
                f"UPDATE glpi_tickettasks SET {_guarded(conn, 'users_id', u)}, "
                f"{_guarded(conn, 'users_id_tech', u)}, {_mask(conn, 'users_id_editor', 0)} "
                f"WHERE id IN {_in([int(k.key) for k in kept])}"
            )
            run(
                f"UPDATE glpi_documents SET {_mask(conn, 'name')}, {_mask(conn, 'filename')}, "
                f"filepath = NULL, comment = NULL, link = NULL, users_id = 0 "
                f"WHERE id IN {by_id('glpi_documents', f'users_id IN {u}')}"
            )
            run(
                f"UPDATE glpi_documents_items SET users_id = 0 "
                f"WHERE id IN {by_id('glpi_documents_items', f'users_id IN {u}')}"
            )
            # The LIKE conditions too select ids once (the LIKE in the CASE is then only
            # evaluated on those rows).
            run(
                f"UPDATE glpi_logs SET user_name = CASE WHEN {logs_like} THEN '{MASK}' "
                f"ELSE user_name END, {_mask(conn, 'old_value')}, {_mask(conn, 'new_value')}, "
                f"old_id = NULL, new_id = NULL WHERE id IN {by_id('glpi_logs', where['glpi_logs'])}"
            )
            run(f"DELETE FROM glpi_events WHERE id IN {by_id('glpi_events', where['glpi_events'])}")
            addresses = f"mainitemtype = 'Computer' AND mainitems_id IN {_in(owned)}"
            run(f"DELETE FROM glpi_ipaddresses WHERE id IN {by_id('glpi_ipaddresses', addresses)}")
            computers = f"users_id IN {u}"
            hashed = _hash_rows(conn, "glpi_computers", "name", computers, key)
            if hashed:
                run("UPDATE glpi_computers SET name = :h WHERE id = :i", hashed)
            run(
                f"UPDATE glpi_computers SET contact = NULL, contact_num = NULL, comment = NULL, "
                f"{_guarded(conn, 'users_id_tech', u)}, users_id = 0 WHERE id IN {_in(owned)}"
            )
            # Link tables, then the identities, then the e-mail look-up table.
            links = by_id("glpi_tickets_users", f"users_id IN {u} OR id IN {m}")
            run(f"DELETE FROM glpi_tickets_users WHERE id IN {links}")
            hashed = _hash_rows(conn, "glpi_users", "name", f"id IN {u}", key)
            if hashed:
                run("UPDATE glpi_users SET name = :h WHERE id = :i", hashed)
            nulls = [
                n
                for n in USERS
                if n
                not in {
                    "name",
                    "realname",
                    "is_active",
                    "usertitles_id",
                    "usercategories_id",
                    "users_id_supervisor",
                }
            ]
            run(
                f"UPDATE glpi_users SET {', '.join(f'{_q(conn, n)} = NULL' for n in nulls)}, "
                f"{_mask(conn, 'realname')}, {_mask(conn, 'is_active', 0)}, "
                f"{_mask(conn, 'usertitles_id', 0)}, {_mask(conn, 'usercategories_id', 0)}, "
                f"{_mask(conn, 'users_id_supervisor', 0)} WHERE id IN {u}"
            )
            run(
                f"DELETE FROM glpi_contacts_suppliers "
                f"WHERE id IN {by_id('glpi_contacts_suppliers', f'contacts_id IN {c}')}"
            )
            run(f"DELETE FROM glpi_contacts WHERE id IN {c}")
            run(
                f"UPDATE glpi_suppliers SET {_mask(conn, 'name')}, "
                + ", ".join(f"{_q(conn, n)} = NULL" for n in SUPPLIERS if n != "name")
                + f" WHERE id IN {s}"
            )
            run(
                f"DELETE FROM glpi_useremails "
                f"WHERE id IN {by_id('glpi_useremails', f'users_id IN {u}')}"
            )
            if commit:
                conn.commit()
                record_kept("glpi", kept)
            else:
                result["snapshot"] = snapshot(conn, before)
                result["kept"] = kept
                conn.rollback()
    finally:
        engine.dispose()
    return result


def raw_find_in(conn: sa.Connection, email: str) -> dict[str, list[str]]:
    """The person's row keys per table (what a snapshot compares)."""
    ids = Ids(conn, email)
    return {
        table: [str(r[0]) for r in conn.execute(sa.text(f"SELECT id FROM {table} WHERE {cond}"))]
        for table, cond in _where(ids).items()
    }


def saved_rows(conn: sa.Connection, keys: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    """Every column of the given rows, to put them back with ``restore``."""
    metadata = sa.MetaData()
    metadata.reflect(conn, only=list(keys))
    saved = {}
    for name, ids in keys.items():
        table = metadata.tables[name]
        rows = conn.execute(table.select().where(table.c.id.in_([int(i) for i in ids])))
        saved[name] = [dict(row._mapping) for row in rows]
    return saved


def restore(url: str, saved: dict[str, list[dict[str, Any]]]) -> None:
    """Put the saved rows back as they were (deleted rows inserted again, changed rows
    replaced), so that the same person can be erased again."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            metadata = sa.MetaData()
            metadata.reflect(conn, only=list(saved))
            for name, rows in saved.items():
                table = metadata.tables[name]
                if not rows:
                    continue
                conn.execute(table.delete().where(table.c.id.in_([r["id"] for r in rows])))
                conn.execute(table.insert(), rows)
    finally:
        engine.dispose()


def snapshot(conn: sa.Connection, keys: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    """Every column of the given rows, as they are now (deleted rows are absent)."""
    return {
        table: [
            tuple(row)
            for row in conn.execute(
                sa.text(f"SELECT * FROM {table} WHERE id IN {_in(ids)} ORDER BY id")
            )
        ]
        for table, ids in keys.items()
        if ids
    }


def hash_value(key: bytes, value: Any, length: int) -> str:
    text = value.hex() if isinstance(value, bytes) else str(value)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
