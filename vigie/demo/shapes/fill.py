"""Deterministic, realistic GLPI and Dolibarr data for tests, the demo and the benchmarks.

Faker (fr_FR, seeded) only draws pools of names, companies and addresses; rows are then assembled
from those pools with one seeded `random.Random`, in chunks, and written set-based (`bulk.py`), so
the benchmark sizes (100,000 users, 1,000,000 tickets, 3,000,000 follow-ups, 2,000,000 login
events) load in minutes. The same seed gives the same rows on every database.

`SeedPerson`s are people who must appear: the demo passes Vigie's own demo people, so a rights
request finds one person in Vigie, GLPI and Dolibarr. Each seed person is a GLPI user who opened
tickets, wrote follow-ups, is named in a colleague's ticket, logs in and has a computer; and in
Dolibarr a contact of a client company, a private customer with twelve years of invoices, a mailing
target and an agenda attendee.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from faker import Faker
from sqlalchemy import Connection, Engine, MetaData, text

from vigie.demo.shapes import dolibarr as dolibarr_shape
from vigie.demo.shapes import glpi as glpi_shape
from vigie.demo.shapes import phrases
from vigie.demo.shapes.bulk import Row, insert_rows, reset_sequences


@dataclass(frozen=True)
class SeedPerson:
    """A person the fill must include, with these exact identifiers."""

    email: str
    first_name: str
    last_name: str
    phone: str | None = None


@dataclass
class _Person:
    id: int
    login: str
    first: str
    last: str
    email: str
    phone: str
    entity: int
    seed: bool = False


def _slug(value: str) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch if ch.isalnum() else "-" for ch in ascii_value.lower()).strip("-")


def _login(first: str, last: str) -> str:
    return f"{_slug(first)}.{_slug(last)}".replace("-", "")


class _Pools:
    """Names, companies and places drawn once from Faker, then reused by index."""

    def __init__(self, seed: int, size: int = 400) -> None:
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        self.first_names = [fake.first_name() for _ in range(size)]
        self.last_names = [fake.last_name() for _ in range(size)]
        self.companies = [fake.company() for _ in range(size)]
        self.streets = [fake.street_address() for _ in range(size)]
        self.places = [(fake.postcode(), fake.city()) for _ in range(size)]
        self.phones = [fake.phone_number() for _ in range(size)]
        self.ibans = [fake.iban() for _ in range(size)]
        self.bics = [fake.swift(length=11) for _ in range(size)]


def _ip_of(user_id: int, rng: random.Random) -> str:
    # Documentation ranges (RFC 5737): realistic, never anybody's real address.
    return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{user_id % 250 + 1}"


def _ago(now: dt.datetime, rng: random.Random, days: int) -> dt.datetime:
    return now - dt.timedelta(seconds=rng.randrange(days * 86_400))


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)


def _people(
    pools: _Pools,
    rng: random.Random,
    count: int,
    seeds: Sequence[SeedPerson],
    domains: Sequence[tuple[int, str]],
    first_id: int,
) -> list[_Person]:
    """Seed people first (with their own identifiers), then `count` generated ones."""
    result: list[_Person] = []
    logins: set[str] = set()
    for i, seed in enumerate(seeds):
        entity, _ = domains[i % len(domains)]
        login = _login(seed.first_name, seed.last_name)
        # Two seed people may share a name; logins are unique in GLPI and Dolibarr.
        login = f"{login}{first_id + i}" if login in logins else login
        logins.add(login)
        result.append(
            _Person(
                first_id + i,
                login,
                seed.first_name,
                seed.last_name,
                seed.email.strip(),
                seed.phone or rng.choice(pools.phones),
                entity,
                seed=True,
            )
        )
    for n in range(count):
        pid = first_id + len(seeds) + n
        first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
        entity, domain = rng.choice(domains)
        login = f"{_login(first, last)}{pid}"
        result.append(
            _Person(pid, login, first, last, f"{login}@{domain}", rng.choice(pools.phones), entity)
        )
    return result


# --------------------------------------------------------------------------------------------
# GLPI
# --------------------------------------------------------------------------------------------


def fill_glpi(
    engine: Engine,
    people: Sequence[SeedPerson] = (),
    *,
    version: glpi_shape.Version = "11",
    users: int = 200,
    tickets: int = 1_000,
    followups: int = 3_000,
    login_events: int = 2_000,
    computers: int | None = None,
    suppliers: int = 12,
    seed: int = 2024,
    chunk_size: int = 20_000,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Fill a database holding `glpi.metadata(version)` (tables created, empty); return row counts.

    `users` generated users come in addition to `people`; about one in forty is a technician.
    """
    md = glpi_shape.metadata(version)
    t = md.tables
    # Fixture data, not secrets: a seeded generator makes every fill reproducible.
    rng = random.Random(seed)  # noqa: S311
    pools = _Pools(seed)
    clock = _now(now)
    counts: dict[str, int] = {}
    entity_count = max(2, users // 400)
    entity_names = rng.sample(pools.companies, min(entity_count, len(pools.companies)))
    domains = [(i + 1, f"{_slug(name)}.example") for i, name in enumerate(entity_names)]
    tech_count = max(2, users // 40)
    techs = [
        _Person(
            i + 1,
            _login(f, la),
            f,
            la,
            f"{_login(f, la)}@semi-informatique.example",
            "04 42 00 00 00",
            0,
        )
        for i, (f, la) in enumerate(
            (rng.choice(pools.first_names), rng.choice(pools.last_names)) for _ in range(tech_count)
        )
    ]
    # Technicians' logins get their id too: two of them may share a name.
    for tech in techs:
        tech.login = f"{tech.login}{tech.id}"
        tech.email = f"{tech.login}@semi-informatique.example"
    clients = _people(pools, rng, users, people, domains, tech_count + 1)
    everyone = techs + clients
    by_entity: dict[int, list[_Person]] = {}
    for person in clients:
        by_entity.setdefault(person.entity, []).append(person)

    with engine.begin() as conn:
        _glpi_entities(conn, md, pools, entity_names, domains, clock, counts)
        counts["glpi_users"] = insert_rows(
            conn,
            t["glpi_users"],
            (
                "id",
                "name",
                "password",
                "realname",
                "firstname",
                "phone",
                "mobile",
                "entities_id",
                "authtype",
                "is_active",
                "last_login",
                "date_mod",
                "date_creation",
                "comment",
                "registration_number",
            ),
            (
                (
                    p.id,
                    p.login,
                    "$2y$10$" + f"{rng.getrandbits(200):050x}"[:53],
                    p.last,
                    p.first,
                    p.phone,
                    p.phone if p.id % 3 == 0 else None,
                    p.entity,
                    1,
                    1,
                    _ago(clock, rng, 60),
                    _ago(clock, rng, 200),
                    _ago(clock, rng, 2_000),
                    "Technicien hotline" if p.entity == 0 else None,
                    f"MAT{p.id:06d}" if p.entity == 0 else None,
                )
                for p in everyone
            ),
            chunk_size=chunk_size,
        )
        counts["glpi_useremails"] = insert_rows(
            conn,
            t["glpi_useremails"],
            ("users_id", "is_default", "is_dynamic", "email"),
            _glpi_useremails(everyone),
            chunk_size=chunk_size,
        )
        requesters, assigned = _glpi_tickets(
            conn, md, rng, clients, techs, by_entity, tickets, clock, counts, chunk_size
        )
        _glpi_followups(
            conn,
            md,
            rng,
            clients,
            techs,
            requesters,
            assigned,
            followups,
            clock,
            counts,
            chunk_size,
        )
        _glpi_tasks_documents_logs(
            conn, md, rng, clients, techs, requesters, assigned, clock, counts, chunk_size
        )
        _glpi_events(conn, md, rng, everyone, clients, login_events, clock, counts, chunk_size)
        _glpi_assets(conn, md, rng, clients, techs, computers, clock, counts, chunk_size)
        _glpi_suppliers(conn, md, pools, rng, suppliers, clock, counts)
        reset_sequences(conn, md.sorted_tables)
    return counts


def _glpi_entities(
    conn: Connection,
    md: MetaData,
    pools: _Pools,
    names: Sequence[str],
    domains: Sequence[tuple[int, str]],
    clock: dt.datetime,
    counts: dict[str, int],
) -> None:
    if conn.dialect.name in ("mysql", "mariadb"):
        # GLPI's root entity has id 0, which AUTO_INCREMENT would otherwise replace.
        conn.execute(
            text(
                "SET SESSION sql_mode = TRIM(BOTH ',' FROM "
                "CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO'))"
            )
        )
    rows: list[Row] = [(0, "Entité racine", None, "Entité racine", 0, None, None, None, None)]
    for (eid, domain), name in zip(domains, names, strict=True):
        postcode, town = pools.places[eid % len(pools.places)]
        rows.append(
            (
                eid,
                name,
                0,
                f"Entité racine > {name}",
                1,
                pools.streets[eid % len(pools.streets)],
                postcode,
                town,
                f"support@{domain}",
            )
        )
    columns = ["id", "name", "entities_id", "completename", "level"]
    columns += ["address", "postcode", "town", "admin_email"]
    counts["glpi_entities"] = insert_rows(conn, md.tables["glpi_entities"], columns, rows)


def _glpi_useremails(everyone: Sequence[_Person]) -> Iterator[Row]:
    for p in everyone:
        yield (p.id, 1, 0, p.email)
        if p.id % 10 == 0:
            yield (p.id, 0, 0, f"{p.login}.perso@courriel.example")


def _fields(person: _Person, other: _Person, computer: str) -> dict[str, str]:
    return {
        "first": person.first,
        "last": person.last,
        "phone": person.phone,
        "other": f"{other.first} {other.last}",
        "other_email": other.email,
        "other_phone": other.phone,
        "computer": computer,
        "site": "2e étage",
    }


def _colleague(person: _Person, by_entity: dict[int, list[_Person]], rng: random.Random) -> _Person:
    colleagues = by_entity.get(person.entity) or [person]
    return rng.choice(colleagues)


def _glpi_tickets(
    conn: Connection,
    md: MetaData,
    rng: random.Random,
    clients: Sequence[_Person],
    techs: Sequence[_Person],
    by_entity: dict[int, list[_Person]],
    count: int,
    clock: dt.datetime,
    counts: dict[str, int],
    chunk_size: int,
) -> tuple[list[int], list[int]]:
    """Write tickets and their actors; return each ticket's requester and technician ids."""
    seeds = [p for p in clients if p.seed]
    requesters: list[int] = [0]  # index = ticket id
    assigned: list[int] = [0]
    dates: list[dt.datetime] = [clock]
    people_by_id = {p.id: p for p in clients}
    # Each seed person opens three tickets; the rest are spread over everybody.
    plan = [p for p in seeds for _ in range(3)]
    plan += [rng.choice(clients) for _ in range(max(0, count - len(plan)))]
    plan = plan[: max(count, len(seeds) * 3)]
    for person in plan:
        requesters.append(person.id)
        assigned.append(rng.choice(techs).id)
        dates.append(_ago(clock, rng, 5 * 365))

    mentions = {len(seeds) * 3 + 1 + i: seed for i, seed in enumerate(seeds)}

    def ticket_rows() -> Iterator[Row]:
        for tid in range(1, len(requesters)):
            person = people_by_id[requesters[tid]]
            # Each seed person is named in a colleague's ticket (R52 test material).
            other = mentions.get(tid) or _colleague(person, by_entity, rng)
            fields = _fields(person, other, f"PC-{person.id:05d}")
            title = rng.choice(phrases.TICKET_TITLES).format(**fields)
            body = rng.choice(phrases.TICKET_BODIES).format(title_lc=title.lower(), **fields)
            opened = dates[tid]
            closed = opened + dt.timedelta(hours=rng.randrange(1, 400))
            status = 6 if closed < clock - dt.timedelta(days=7) else rng.choice((1, 2, 4, 5))
            recipient = person.id if rng.random() < 0.8 else assigned[tid]
            yield (
                tid,
                person.entity,
                title,
                opened,
                closed if status == 6 else None,
                closed if status in (5, 6) else None,
                opened + dt.timedelta(minutes=rng.randrange(5, 240)),
                closed if status == 6 else opened,
                assigned[tid],
                status,
                recipient,
                rng.choice((1, 2, 3)),
                body,
                rng.choice((1, 2)),
                opened,
            )

    columns = ["id", "entities_id", "name", "date", "closedate", "solvedate"]
    columns += ["takeintoaccountdate", "date_mod", "users_id_lastupdater", "status"]
    columns += ["users_id_recipient", "requesttypes_id", "content", "type", "date_creation"]
    counts["glpi_tickets"] = insert_rows(
        conn, md.tables["glpi_tickets"], columns, ticket_rows(), chunk_size=chunk_size
    )

    def actor_rows() -> Iterator[Row]:
        for tid in range(1, len(requesters)):
            if tid % 20 == 0:
                # Mail-collector ticket: the requester has no account, only an address.
                yield (tid, 0, 1, 1, f"client{tid}@messagerie.example")
            else:
                yield (tid, requesters[tid], 1, 1, None)
            yield (tid, assigned[tid], 2, 1, None)
            if tid % 5 == 0:
                observer = rng.choice(clients).id
                if observer != requesters[tid]:
                    yield (tid, observer, 3, 1, None)
        # Each seed person also watches a colleague's ticket.
        for i, person in enumerate(seeds):
            tid = len(requesters) - 1 - i
            if tid > 0 and requesters[tid] != person.id and tid % 5 != 0:
                yield (tid, person.id, 3, 1, None)

    counts["glpi_tickets_users"] = insert_rows(
        conn,
        md.tables["glpi_tickets_users"],
        ("tickets_id", "users_id", "type", "use_notification", "alternative_email"),
        actor_rows(),
        chunk_size=chunk_size,
    )
    return requesters, assigned


def _glpi_followups(
    conn: Connection,
    md: MetaData,
    rng: random.Random,
    clients: Sequence[_Person],
    techs: Sequence[_Person],
    requesters: list[int],
    assigned: list[int],
    count: int,
    clock: dt.datetime,
    counts: dict[str, int],
    chunk_size: int,
) -> None:
    people = {p.id: p for p in list(clients) + list(techs)}
    seeds = [p for p in clients if p.seed]
    seed_tickets = [tid for tid in range(1, len(requesters)) if people[requesters[tid]] in seeds]
    last = len(requesters) - 1

    def rows() -> Iterator[Row]:
        # On each seed person's ticket: a technician's reply, then the person's own answer.
        plan = [(tid, assigned[tid]) for tid in seed_tickets]
        plan += [(tid, requesters[tid]) for tid in seed_tickets]
        for n in range(max(0, count - len(plan))):
            tid = rng.randint(1, last) if last else 0
            plan.append((tid, assigned[tid] if n % 3 else requesters[tid]))
        for tid, author_id in plan[: max(count, len(plan))]:
            requester = people[requesters[tid]]
            author = people[author_id]
            fields = _fields(requester, rng.choice(clients), f"PC-{requester.id:05d}")
            if author.entity == 0:
                body = rng.choice(phrases.FOLLOWUPS_TECH).format(
                    tech=f"{author.first} {author.last}", **fields
                )
            else:
                body = rng.choice(phrases.FOLLOWUPS_REQUESTER).format(**fields)
            when = _ago(clock, rng, 5 * 365)
            yield ("Ticket", tid, when, author.id, author.id, body, 0, 1, when, when, 1)

    columns = ["itemtype", "items_id", "date", "users_id", "users_id_editor", "content"]
    columns += ["is_private", "requesttypes_id", "date_mod", "date_creation", "timeline_position"]
    counts["glpi_itilfollowups"] = insert_rows(
        conn, md.tables["glpi_itilfollowups"], columns, rows(), chunk_size=chunk_size
    )


def _glpi_tasks_documents_logs(
    conn: Connection,
    md: MetaData,
    rng: random.Random,
    clients: Sequence[_Person],
    techs: Sequence[_Person],
    requesters: list[int],
    assigned: list[int],
    clock: dt.datetime,
    counts: dict[str, int],
    chunk_size: int,
) -> None:
    people = {p.id: p for p in list(clients) + list(techs)}
    last = len(requesters) - 1

    def task_rows() -> Iterator[Row]:
        for n, tid in enumerate(range(1, last + 1, 2)):
            tech = people[assigned[tid]]
            fields = _fields(people[requesters[tid]], rng.choice(clients), f"PC-{tid:05d}")
            when = _ago(clock, rng, 5 * 365)
            yield (
                f"{rng.getrandbits(128):032x}-{n}",
                tid,
                when,
                tech.id,
                tech.id,
                rng.choice(phrases.TASKS).format(**fields),
                rng.choice((900, 1800, 3600, 7200)),
                2,
                tech.id,
                when,
                when,
            )

    columns = ["uuid", "tickets_id", "date", "users_id", "users_id_editor", "content"]
    columns += ["actiontime", "state", "users_id_tech", "date_mod", "date_creation"]
    counts["glpi_tickettasks"] = insert_rows(
        conn, md.tables["glpi_tickettasks"], columns, task_rows(), chunk_size=chunk_size
    )

    documents = [(tid, requesters[tid]) for tid in range(1, last + 1, 20) if requesters[tid]]

    def document_rows() -> Iterator[Row]:
        for did, (tid, uid) in enumerate(documents, start=1):
            person = people[uid]
            sha = f"{rng.getrandbits(160):040x}"
            when = _ago(clock, rng, 5 * 365)
            name = f"capture_{_slug(person.last)}_{tid}.png"
            yield (
                did,
                person.entity,
                name,
                name,
                f"PNG/{sha[:2]}/{sha}.PNG",
                "image/png",
                uid,
                tid,
                sha,
                when,
                when,
            )

    columns = ["id", "entities_id", "name", "filename", "filepath", "mime", "users_id"]
    columns += ["tickets_id", "sha1sum", "date_mod", "date_creation"]
    counts["glpi_documents"] = insert_rows(
        conn, md.tables["glpi_documents"], columns, document_rows(), chunk_size=chunk_size
    )
    counts["glpi_documents_items"] = insert_rows(
        conn,
        md.tables["glpi_documents_items"],
        ("documents_id", "items_id", "itemtype", "users_id", "date", "date_creation"),
        (
            (did, tid, "Ticket", uid, clock, clock)
            for did, (tid, uid) in enumerate(documents, start=1)
        ),
        chunk_size=chunk_size,
    )

    def log_rows() -> Iterator[Row]:
        # History about each person (a phone change) and made by technicians on tickets.
        for person in clients:
            tech = rng.choice(techs)
            yield (
                "User",
                person.id,
                "",
                0,
                f"{tech.last} {tech.first} ({tech.id})",
                _ago(clock, rng, 3 * 365),
                11,
                rng.choice(clients).phone,
                person.phone,
            )
        for tid in range(1, last + 1, 2):
            tech = people[assigned[tid]]
            yield (
                "Ticket",
                tid,
                "",
                0,
                f"{tech.last} {tech.first} ({tech.id})",
                _ago(clock, rng, 5 * 365),
                12,
                "2",
                "6",
            )

    columns = ["itemtype", "items_id", "itemtype_link", "linked_action", "user_name"]
    columns += ["date_mod", "id_search_option", "old_value", "new_value"]
    counts["glpi_logs"] = insert_rows(
        conn, md.tables["glpi_logs"], columns, log_rows(), chunk_size=chunk_size
    )


def _glpi_events(
    conn: Connection,
    md: MetaData,
    rng: random.Random,
    everyone: Sequence[_Person],
    clients: Sequence[_Person],
    count: int,
    clock: dt.datetime,
    counts: dict[str, int],
    chunk_size: int,
) -> None:
    seeds = [p for p in clients if p.seed]

    def rows() -> Iterator[Row]:
        # A year of logins; GLPI writes the login and the IP only inside the message.
        plan = [p for p in seeds for _ in range(12)]
        plan += [rng.choice(everyone) for _ in range(max(0, count - len(plan)))]
        for person in plan:
            ip = _ip_of(person.id, rng)
            if rng.random() < 0.1:
                message = f"Failed login for {person.login} from IP {ip}"
            else:
                message = f"{person.login} log in from IP {ip}"
            yield (0, "system", _ago(clock, rng, 365), "login", 3, message)

    counts["glpi_events"] = insert_rows(
        conn,
        md.tables["glpi_events"],
        ("items_id", "type", "date", "service", "level", "message"),
        rows(),
        chunk_size=chunk_size,
    )


def _glpi_assets(
    conn: Connection,
    md: MetaData,
    rng: random.Random,
    clients: Sequence[_Person],
    techs: Sequence[_Person],
    computers: int | None,
    clock: dt.datetime,
    counts: dict[str, int],
    chunk_size: int,
) -> None:
    owners = list(clients[: len(clients) if computers is None else computers])

    def computer_rows() -> Iterator[Row]:
        for cid, person in enumerate(owners, start=1):
            when = _ago(clock, rng, 30)
            yield (
                cid,
                person.entity,
                f"PC-{person.login[:12].upper()}",
                f"SN{rng.getrandbits(40):010X}",
                f"INV-{cid:06d}",
                f"{person.login}@AD.LOCAL",
                rng.choice(techs).id,
                1,
                person.id,
                f"{rng.getrandbits(128):032x}",
                when,
                when,
                when - dt.timedelta(days=400),
                when - dt.timedelta(hours=8),
            )

    columns = ["id", "entities_id", "name", "serial", "otherserial", "contact", "users_id_tech"]
    columns += ["is_dynamic", "users_id", "uuid", "last_inventory_update", "date_mod"]
    columns += ["date_creation", "last_boot"]
    counts["glpi_computers"] = insert_rows(
        conn, md.tables["glpi_computers"], columns, computer_rows(), chunk_size=chunk_size
    )
    # One network name and one IPv4 address per computer (the port itself is not shaped).
    counts["glpi_networknames"] = insert_rows(
        conn,
        md.tables["glpi_networknames"],
        ("id", "entities_id", "items_id", "itemtype", "name", "is_dynamic", "date_mod"),
        (
            (cid, p.entity, cid, "NetworkPort", f"pc-{_slug(p.login)[:20]}", 1, clock)
            for cid, p in enumerate(owners, start=1)
        ),
        chunk_size=chunk_size,
    )

    def address_rows() -> Iterator[Row]:
        for cid, person in enumerate(owners, start=1):
            value = (10 << 24) | (person.entity << 16) | (cid & 0xFFFF)
            dotted = ".".join(str((value >> s) & 255) for s in (24, 16, 8, 0))
            yield (person.entity, cid, "NetworkName", 4, dotted, 0, 0, 0xFFFF, value, 1, cid)

    columns = ["entities_id", "items_id", "itemtype", "version", "name", "binary_0", "binary_1"]
    columns += ["binary_2", "binary_3", "is_dynamic", "mainitems_id"]
    counts["glpi_ipaddresses"] = insert_rows(
        conn, md.tables["glpi_ipaddresses"], columns, address_rows(), chunk_size=chunk_size
    )
    conn.execute(
        md.tables["glpi_ipaddresses"].update().values(mainitemtype="Computer"),
    )


def _glpi_suppliers(
    conn: Connection,
    md: MetaData,
    pools: _Pools,
    rng: random.Random,
    count: int,
    clock: dt.datetime,
    counts: dict[str, int],
) -> None:
    supplier_rows: list[Row] = []
    contact_rows: list[Row] = []
    link_rows: list[Row] = []
    for sid in range(1, count + 1):
        # The last supplier is a sole trader: its name is a person's name.
        if sid == count:
            name = f"{rng.choice(pools.first_names)} {rng.choice(pools.last_names)} EI"
        else:
            name = pools.companies[(sid * 7) % len(pools.companies)]
        postcode, town = pools.places[sid % len(pools.places)]
        domain = f"{_slug(name)}.example"
        supplier_rows.append(
            (sid, name, pools.streets[sid], postcode, town, "France", pools.phones[sid],
             f"contact@{domain}", f"https://www.{domain}", 1, clock, clock)
        )  # fmt: skip
        for k in range(2):
            cid = (sid - 1) * 2 + k + 1
            first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
            contact_rows.append(
                (cid, last, first, pools.phones[cid], pools.phones[-cid],
                 f"{_login(first, last)}@{domain}", postcode, town, clock, clock)
            )  # fmt: skip
            link_rows.append((sid, cid))
    columns = ["id", "name", "address", "postcode", "town", "country", "phonenumber", "email"]
    columns += ["website", "is_active", "date_mod", "date_creation"]
    counts["glpi_suppliers"] = insert_rows(
        conn, md.tables["glpi_suppliers"], columns, supplier_rows
    )
    columns = ["id", "name", "firstname", "phone", "mobile", "email", "postcode", "town"]
    columns += ["date_mod", "date_creation"]
    counts["glpi_contacts"] = insert_rows(conn, md.tables["glpi_contacts"], columns, contact_rows)
    counts["glpi_contacts_suppliers"] = insert_rows(
        conn, md.tables["glpi_contacts_suppliers"], ("suppliers_id", "contacts_id"), link_rows
    )


# --------------------------------------------------------------------------------------------
# Dolibarr
# --------------------------------------------------------------------------------------------

# Type of third party "Particulier" (TE_PRIVATE) in llx_c_typent (reference 2.2).
TE_PRIVATE = 8


def fill_dolibarr(
    engine: Engine,
    people: Sequence[SeedPerson] = (),
    *,
    companies: int = 40,
    private_customers: int = 30,
    staff: int = 6,
    years_of_invoices: int = 12,
    invoices_per_customer_year: int = 2,
    mailings: int = 4,
    login_events: int = 500,
    seed: int = 2024,
    chunk_size: int = 20_000,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Fill a database holding `dolibarr.metadata()` (tables created, empty); return row counts."""
    from vigie.demo.shapes.fill_dolibarr import DolibarrFill

    md = dolibarr_shape.metadata()
    # Fixture data, not secrets: a seeded generator makes every fill reproducible.
    rng = random.Random(seed)  # noqa: S311
    pools = _Pools(seed)
    clock = _now(now)
    with engine.begin() as conn:
        filler = DolibarrFill(conn, md, rng, pools, clock, chunk_size)
        filler.run(
            people,
            companies=companies,
            private_customers=private_customers,
            staff=staff,
            years_of_invoices=years_of_invoices,
            invoices_per_customer_year=invoices_per_customer_year,
            mailings=mailings,
            login_events=login_events,
        )
        reset_sequences(conn, md.sorted_tables)
    return filler.counts
