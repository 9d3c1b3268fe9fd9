"""The data-inventory check (R4, Art. 30): no personal data outside the register.

It reflects a source's database and compares it with its manifest: every column no
manifest maps (all columns of a table that is neither described nor declared
``not_personal_tables``), every mapped table or column the database lacks (a column
marked with ``versions`` exists in some versions of the application only and may be
absent), every
category unknown to the register, every table with personal columns but no
retention rule (R12: a category without a rule fails the inventory), and every
retention category without a duration.

Vigie's own store is checked from its models instead of a manifest
(``check_builtin``): each model declares its personal-data fields with their register
categories in ``PERSONAL_DATA``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from typing import Any

import sqlalchemy as sa
from django.apps import apps as django_apps
from django.db.models import Model
from django.utils.translation import gettext, gettext_noop

from vigie.sources.manifest import ConnectionUnavailable, Manifest
from vigie.sources.rules import RetentionRule


@dataclass(frozen=True)
class InventoryProblem:
    kind: str  # unmapped, missing, category, retention, connection
    path: str
    message: str  # in English: the JSON report's text, whatever the reader's language
    # The source string the message was made from and its values, so a stored report
    # is shown in the language of whoever reads it later (the data map).
    template: str = ""
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        """The message in the active language."""
        return problem_text(asdict(self))

    def __str__(self) -> str:
        return f"{self.path}: {self.text}"


def _problem(kind: str, path: str, template: str, **params: str) -> InventoryProblem:
    return InventoryProblem(kind, path, template % params, template, params)


def problem_text(stored: Mapping[str, Any]) -> str:
    """A problem's message in the active language, from the object or its stored JSON (a
    report stored before the messages were translated has no template: shown as is)."""
    template = stored.get("template")
    if not template:
        return str(stored.get("message", ""))
    return gettext(template) % dict(stored.get("params") or {})


@dataclass
class CheckReport:
    source: str
    problems: list[InventoryProblem] = field(default_factory=list)
    tables: int = 0
    columns: int = 0
    personal_columns: int = 0
    #: Tables of the database described as personal, declared not personal (the
    #: manifest's ``not_personal_tables``), and neither (named: the check fails on them).
    personal_tables: int = 0
    not_personal_tables: int = 0
    undescribed_tables: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tables": self.tables,
            "columns": self.columns,
            "personal_columns": self.personal_columns,
            "personal_tables": self.personal_tables,
            "not_personal_tables": self.not_personal_tables,
            "undescribed_tables": self.undescribed_tables,
            "problems": [asdict(p) for p in self.problems],
        }


def _referenced_columns(manifest: Manifest) -> dict[str, dict[str, str]]:
    """Columns the manifest names outside ``columns`` (keys, links, starts), by table."""
    named: dict[str, dict[str, str]] = {}

    def add(table: str, column: str | None, path: str) -> None:
        if column:
            named.setdefault(table, {}).setdefault(column, path)

    for name, identity in manifest.identities.items():
        add(identity.table, identity.key, f"identities.{name}.key")
        for attr, match in identity.match.items():
            mpath = f"identities.{name}.match.{attr}"
            add(match.table or identity.table, match.column, f"{mpath}.column")
            if match.table:
                add(match.table, match.key, f"{mpath}.key")
    for tname, table in manifest.tables.items():
        for column in table.key or ():
            add(tname, column, f"tables.{tname}.key")
        for index, link in enumerate(table.links):
            lpath = f"tables.{tname}.links.{index}"
            add(tname, link.column, f"{lpath}.column")
            add(tname, link.references, f"{lpath}.references")
            for column in link.where:
                add(tname, column, f"{lpath}.where.{column}")
            for hop, through in enumerate(link.through):
                hpath = f"{lpath}.through" if len(link.through) == 1 else f"{lpath}.through.{hop}"
                add(through.table, through.column, f"{hpath}.column")
                add(through.table, through.key, f"{hpath}.key")
                for column in through.where:
                    add(through.table, column, f"{hpath}.where.{column}")
            if link.like is not None and link.identity in manifest.identities:
                identity = manifest.identities[link.identity]
                for number, column in enumerate(link.like.columns):
                    where = "" if isinstance(link.like.value, str) else f".{number}"
                    add(identity.table, column, f"{lpath}.like.value{where}")
        retention = table.retention
        if retention is not None:
            rpath = f"tables.{tname}.retention"
            add(tname, retention.start, f"{rpath}.start")
            if retention.follows is not None:
                follows = retention.follows
                add(tname, follows.column, f"{rpath}.follows.column")
                add(follows.table, follows.references, f"{rpath}.follows.references")
                for column in follows.where:
                    add(tname, column, f"{rpath}.follows.where.{column}")
    return named


def check_manifest(
    manifest: Manifest, rules: Mapping[str, RetentionRule], *, url: str | None = None
) -> CheckReport:
    """Compare ``manifest`` with its database and the register's ``rules``."""
    report = CheckReport(manifest.source)
    problems = report.problems
    for tname, table in manifest.tables.items():
        for column in table.personal_columns:
            if column.category not in rules:
                problems.append(
                    _problem(
                        "category",
                        f"tables.{tname}.columns.{column.name}.category",
                        gettext_noop("%(category)s is not a category of the register"),
                        category=repr(column.category),
                    )
                )
        retention = table.retention
        if table.personal_columns and retention is None:
            problems.append(
                _problem(
                    "retention",
                    f"tables.{tname}.retention",
                    gettext_noop("personal columns but no retention rule (R12)"),
                )
            )
        elif retention is not None:
            rule = rules.get(retention.category)
            if rule is None:
                problems.append(
                    _problem(
                        "category",
                        f"tables.{tname}.retention.category",
                        gettext_noop("%(category)s is not a category of the register"),
                        category=repr(retention.category),
                    )
                )
            elif not rule.has_duration:
                problems.append(
                    _problem(
                        "retention",
                        f"tables.{tname}.retention.category",
                        gettext_noop(
                            "the register gives %(category)s no duration: "
                            "nothing can tell when its rows expire"
                        ),
                        category=repr(retention.category),
                    )
                )
    try:
        engine = sa.create_engine(url or manifest.connection.url())
        try:
            _compare_with_database(manifest, engine, report)
        finally:
            engine.dispose()
    except ConnectionUnavailable as error:
        problems.append(InventoryProblem("connection", "connection", str(error)))
    except (sa.exc.SQLAlchemyError, ImportError, ValueError, OSError, AttributeError) as error:
        # A driver's message may quote the URL (and its password): only its first line
        # for database errors, only the kind for anything else.
        detail = getattr(error, "orig", None) or type(error).__name__
        problems.append(
            _problem(
                "connection",
                "connection",
                gettext_noop("cannot reach the database: %(detail)s"),
                detail=str(detail)[:200],
            )
        )
    return report


def _compare_with_database(manifest: Manifest, engine: sa.Engine, report: CheckReport) -> None:
    with warnings.catch_warnings():
        # Only names are compared: a type SQLAlchemy does not know (MariaDB's `point`)
        # is no problem of the inventory.
        warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
        _compare(manifest, engine, report)


def _compare(manifest: Manifest, engine: sa.Engine, report: CheckReport) -> None:
    problems = report.problems
    inspector = sa.inspect(engine)
    present = set(inspector.get_table_names())
    for name in sorted(present):
        if name in manifest.tables:
            continue
        if any(fnmatchcase(name, p) for p in manifest.not_personal_tables):
            report.not_personal_tables += 1
            continue
        report.undescribed_tables.append(name)
        for reflected in inspector.get_columns(name):
            report.columns += 1
            problems.append(
                _problem(
                    "unmapped",
                    f"tables.{name}.columns.{reflected['name']}",
                    gettext_noop("in the database but in no manifest (table not described)"),
                )
            )
    referenced = _referenced_columns(manifest)
    for tname, table in manifest.tables.items():
        if tname not in present and table.versions:
            continue  # a table of other versions of the application only
        if tname not in present:
            problems.append(
                _problem(
                    "missing",
                    f"tables.{tname}",
                    gettext_noop("described but not in the database"),
                )
            )
            continue
        report.tables += 1
        report.personal_tables += 1
        actual = [c["name"] for c in inspector.get_columns(tname)]
        report.columns += len(actual)
        report.personal_columns += sum(1 for c in table.personal_columns if c.name in actual)
        for column in actual:
            if column not in table.columns:
                problems.append(
                    _problem(
                        "unmapped",
                        f"tables.{tname}.columns.{column}",
                        gettext_noop("in the database but not in the manifest"),
                    )
                )
        for column, spec in table.columns.items():
            # A column of some versions only (`versions`) may be absent.
            if column not in actual and not spec.versions:
                problems.append(
                    _problem(
                        "missing",
                        f"tables.{tname}.columns.{column}",
                        gettext_noop("in the manifest but not in the database"),
                    )
                )
        for column, path in referenced.get(tname, {}).items():
            if column not in actual and column not in table.columns:
                problems.append(
                    _problem(
                        "missing",
                        path,
                        gettext_noop("%(column)s is not in the database"),
                        column=f"{tname}.{column}",
                    )
                )


def check_versions(
    manifest: Manifest, facts: Mapping[str, Mapping[str, Iterable[str]]]
) -> list[InventoryProblem]:
    """The manifest's `versions` marks against column facts: ``facts`` maps a version of the
    application ("11.0.7") to its tables and their column names. A mapped table or column
    that a version should have (no mark, or a mark covering it) but lacks is an error; so is
    one marked for versions that do not have it, and a version no claim of the manifest covers.
    """
    from vigie.sources.validation import covered

    problems: list[InventoryProblem] = []
    for version, tables in sorted(facts.items()):
        if manifest.versions and not covered(manifest.versions, version):
            problems.append(
                _problem(
                    "version",
                    "versions",
                    gettext_noop("version %(version)s is not one the manifest describes"),
                    version=version,
                )
            )
            continue
        columns = {name: set(cols) for name, cols in tables.items()}
        for tname, table in manifest.tables.items():
            expected = covered(table.versions, version)
            if tname not in columns:
                if expected:
                    problems.append(
                        _problem(
                            "version",
                            f"tables.{tname}",
                            gettext_noop("not a table of version %(version)s"),
                            version=version,
                        )
                    )
                continue
            if not expected:
                problems.append(
                    _problem(
                        "version",
                        f"tables.{tname}.versions",
                        gettext_noop("version %(version)s has this table: its mark misses it"),
                        version=version,
                    )
                )
            for cname, column in table.columns.items():
                has = cname in columns[tname]
                if covered(column.versions, version) and not has:
                    problems.append(
                        _problem(
                            "version",
                            f"tables.{tname}.columns.{cname}",
                            gettext_noop("not a column of version %(version)s"),
                            version=version,
                        )
                    )
                elif has and not covered(column.versions, version):
                    problems.append(
                        _problem(
                            "version",
                            f"tables.{tname}.columns.{cname}.versions",
                            gettext_noop("version %(version)s has this column: its mark misses it"),
                            version=version,
                        )
                    )
    return problems


#: The class attribute where a Vigie model maps each personal-data field to its
#: register data category (``{}`` for a model that holds none).
PERSONAL_DATA = "PERSONAL_DATA"
#: The help_text prefix the conventions give every personal-data field: such a field
#: must also be in ``PERSONAL_DATA``, so a new one cannot slip past the check.
CATEGORY_HELP = "Category:"


#: Tables of the third-party apps in Vigie's database, declared here since their models
#: are not Vigie's to annotate: the same form as ``PERSONAL_DATA``, ``{}`` for none.
THIRD_PARTY_PERSONAL_DATA: dict[str, dict[str, str]] = {
    "auth.permission": {},
    "auth.group": {},
    "contenttypes.contenttype": {},
    # A staff session: the signed-in account and its second factor state.
    "sessions.session": {"session_data": "security-logs"},
    "otp_totp.totpdevice": {
        "user": "staff-accounts",
        "key": "staff-accounts",
        "created_at": "staff-accounts",
        "last_used_at": "security-logs",
        "throttling_failure_timestamp": "security-logs",
    },
    **{
        f"axes.{name}": {
            "user_agent": "security-logs",
            "ip_address": "security-logs",
            "username": "security-logs",
            "attempt_time": "security-logs",
        }
        for name in ("accessattempt", "accessfailurelog", "accesslog")
    },
    "axes.accessattemptexpiration": {},
    # A background job: its arguments are ids by rule (a person's, a message's, an
    # address look-up's, never their data), its return value counts, and a failed job's
    # traceback may quote a value. Finished jobs are kept VIGIE_TASK_RESULT_RETENTION_DAYS
    # (vigie.jobs.tasks); a public form's job gets a look-up id that points at nothing
    # once the job has run or the person was erased (vigie.people.lookups).
    "django_tasks_database.dbtaskresult": {
        "args_kwargs": "security-logs",
        "return_value": "security-logs",
        "traceback": "security-logs",
        "enqueued_at": "security-logs",
        "finished_at": "security-logs",
    },
}


def vigie_models() -> list[type[Model]]:
    """Every concrete model of Vigie's own apps (its own store)."""
    return [
        model
        for model in django_apps.get_models()
        if model.__module__.startswith("vigie.") and not model._meta.proxy
    ]


def store_models() -> list[type[Model]]:
    """Every concrete model in Vigie's database: its own apps' and third-party ones."""
    return [model for model in django_apps.get_models() if not model._meta.proxy]


def _declared(model: type[Model]) -> dict[str, str] | None:
    if model.__module__.startswith("vigie."):
        declared = getattr(model, PERSONAL_DATA, None)
        return declared if isinstance(declared, dict) else None
    return THIRD_PARTY_PERSONAL_DATA.get(model._meta.label_lower)


def check_builtin(
    rules: Mapping[str, RetentionRule], models: Iterable[type[Model]] = ()
) -> CheckReport:
    """The inventory check (R4) of Vigie's own store: every model in its database (its
    own apps' and third-party ones) declares its personal data, every field whose
    help_text names a category is declared, every declared field exists and maps to a
    category of the loaded register."""
    from vigie.sources.builtin import NAME

    report = CheckReport(NAME)
    problems = report.problems
    for model in models or store_models():
        table = model._meta.label_lower
        report.tables += 1
        fields = {f.name: f for f in model._meta.concrete_fields}
        report.columns += len(fields)
        declared = _declared(model)
        if declared is None:
            where = (
                f"{model.__name__}.{PERSONAL_DATA}"
                if model.__module__.startswith("vigie.")
                else "THIRD_PARTY_PERSONAL_DATA (vigie/sources/inventory.py)"
            )
            report.undescribed_tables.append(table)
            problems.append(
                _problem(
                    "unmapped",
                    f"tables.{table}",
                    gettext_noop(
                        "not described: declare its personal-data fields and their register "
                        "categories, or {} when it holds none, in %(where)s"
                    ),
                    where=where,
                )
            )
            continue
        report.personal_columns += sum(1 for name in declared if name in fields)
        if declared:
            report.personal_tables += 1
        else:
            report.not_personal_tables += 1
        for name, model_field in fields.items():
            help_text = str(model_field.help_text or "")
            if help_text.startswith(CATEGORY_HELP) and name not in declared:
                problems.append(
                    _problem(
                        "unmapped",
                        f"tables.{table}.columns.{name}",
                        gettext_noop(
                            "personal data (%(help)s) mapped to no register category in %(where)s"
                        ),
                        help=help_text[:80],
                        where=f"{model.__name__}.{PERSONAL_DATA}",
                    )
                )
        for name, category in declared.items():
            path = f"tables.{table}.columns.{name}"
            if name not in fields:
                problems.append(
                    _problem(
                        "missing",
                        path,
                        gettext_noop("in %(where)s but not a field"),
                        where=PERSONAL_DATA,
                    )
                )
            elif category not in rules:
                problems.append(
                    _problem(
                        "category",
                        f"{path}.category",
                        gettext_noop("%(category)s is not a category of the register"),
                        category=repr(category),
                    )
                )
    return report
