"""The values every source exchanges: a subject, what was found, what was erased or purged.

They carry personal data only where the call is about it (``FindResult`` rows for
an access request, Art. 15); reports carry counts, tables and keys, never values,
so that they can be journaled and shown.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vigie.lib.crypto import normalise_email


class Subject:
    """The person looked for: attribute name → values, e.g. ``Subject(email=["a@b.fr"])``.

    Attributes are those manifests match on (``email``, ``login``…). E-mail
    addresses are compared trimmed and case-insensitively; other values trimmed.
    """

    def __init__(self, **attributes: Iterable[str] | str) -> None:
        values: dict[str, tuple[str, ...]] = {}
        for name, given in attributes.items():
            items = [given] if isinstance(given, str) else list(given)
            cleaned = [self.normalise(name, v) for v in items if v and v.strip()]
            if cleaned:
                values[name] = tuple(dict.fromkeys(cleaned))
        self._values = values

    @staticmethod
    def normalise(attribute: str, value: str) -> str:
        return normalise_email(value) if attribute == "email" else value.strip()

    def values(self, attribute: str) -> tuple[str, ...]:
        return self._values.get(attribute, ())

    @property
    def attributes(self) -> Mapping[str, tuple[str, ...]]:
        return dict(self._values)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Subject) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __repr__(self) -> str:
        # Never the values themselves: a repr ends up in logs and tracebacks.
        counts = ", ".join(f"{k}=<{len(v)}>" for k, v in sorted(self._values.items()))
        return f"Subject({counts})"


@dataclass(frozen=True)
class FoundRow:
    """One row of one table, with the personal columns of one category."""

    table: str
    key: str
    category: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class FindResult:
    source: str
    rows: tuple[FoundRow, ...] = ()
    #: Rows of ``rows`` an erasure kept on a legal ground, with the ground and end date
    #: (R51: after an erasure an access request still shows them, and why they remain).
    kept: tuple[KeptRow, ...] = ()

    def kept_row(self, table: str, key: str) -> KeptRow | None:
        for row in self.kept:
            if row.table == table and row.key == key:
                return row
        return None

    @property
    def by_category(self) -> dict[str, list[FoundRow]]:
        grouped: dict[str, list[FoundRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.category, []).append(row)
        return grouped

    @property
    def counts(self) -> dict[tuple[str, str], int]:
        """Rows per ``(table, category)``."""
        return dict(Counter((r.table, r.category) for r in self.rows))

    @property
    def table_counts(self) -> dict[str, int]:
        """Distinct rows per table."""
        return dict(Counter(t for t, _k in {(r.table, r.key) for r in self.rows}))


@dataclass(frozen=True)
class Erase:
    """Plan entry: erase this category with each column's strategy (``keep`` → NULL)."""


@dataclass(frozen=True)
class Keep:
    """Plan entry: keep this category, on a specific Art. 17(3) ground, until a date."""

    ground: str
    until: dt.date


#: Per category: erase, or keep with a ground and an end date. Categories absent
#: from the plan follow the manifest's strategies.
Plan = Mapping[str, Erase | Keep]


@dataclass(frozen=True)
class KeptRow:
    table: str
    key: str
    category: str
    ground: str
    ends_on: dt.date | None
    #: Keyed references of the person's identifiers (``archive.subject_refs``): whom the
    #: row is kept for, so that an access request after the erasure finds it (R51).
    subject_refs: tuple[str, ...] = field(default=(), repr=False, compare=False)


@dataclass
class TableOutcome:
    deleted: int = 0
    updated: int = 0
    kept: int = 0


@dataclass(frozen=True)
class Residue:
    """Rows of ``table`` whose text ``column`` still holds one of the person's
    identifiers after an erasure (counted, never the value); ``category``: the
    column's, when it is one a kept category keeps."""

    table: str
    column: str
    rows: int
    category: str = ""


class ResidueState(StrEnum):
    """Where the residue check after an erasure stands."""

    #: Not run (Vigie's own store, which crypto-shreds; or asked not to).
    NOT_CHECKED = "not-checked"
    #: Queued as a background job: nothing can be said yet about what is left.
    PENDING = "pending"
    DONE = "done"


class Verdict(StrEnum):
    """What a letter built on an erase report may say of what is left (R53)."""

    #: Undescribed tables or columns were not erased (``accept_unmapped``).
    INCOMPLETE = "incomplete"
    #: The residue check found identifiers left outside the kept categories.
    RESIDUE = "residue"
    #: The residue check is running: "nothing left" cannot be claimed yet.
    PENDING = "pending"
    NOT_CHECKED = "not-checked"
    #: Erased, checked, and no identifier left outside the kept categories.
    NOTHING_LEFT = "nothing-left"


@dataclass
class EraseReport:
    source: str
    tables: dict[str, TableOutcome] = field(default_factory=dict)
    kept: list[KeptRow] = field(default_factory=list)
    #: Run with ``accept_unmapped`` on a database holding tables (or ``table.column``)
    #: the manifest does not describe: what they hold was not erased.
    incomplete: bool = False
    undescribed: list[str] = field(default_factory=list)
    #: The residue check after the erase (issue 12): what still holds an identifier,
    #: and apart, what a kept category keeps (its ground and end date in ``kept``).
    #: Filled only once the check is done (``complete_residue``); while it runs as a
    #: job, ``residue_state`` is pending and ``residue_check`` names the job's record.
    residue_state: ResidueState = ResidueState.NOT_CHECKED
    residue_check: int | None = None
    residue: list[Residue] = field(default_factory=list)
    kept_residue: list[Residue] = field(default_factory=list)
    #: The identifiers the residue check searched for (the values themselves: kept in
    #: memory for the caller, never stored in clear nor shown).
    identifiers: list[str] = field(default_factory=list, repr=False)

    @property
    def residue_checked(self) -> bool:
        return self.residue_state is ResidueState.DONE

    def complete_residue(self, residue: list[Residue], kept_residue: list[Residue]) -> None:
        """The residue check's result: the only way to a checked report."""
        self.residue, self.kept_residue = list(residue), list(kept_residue)
        self.residue_state = ResidueState.DONE

    @property
    def verdict(self) -> Verdict:
        """What may be said of what is left: "nothing left" only once the residue check
        is done and found nothing, on a complete erasure; never while it is pending."""
        if self.incomplete:
            return Verdict.INCOMPLETE
        if self.residue_state is ResidueState.PENDING:
            return Verdict.PENDING
        if self.residue_state is ResidueState.NOT_CHECKED:
            return Verdict.NOT_CHECKED
        return Verdict.RESIDUE if self.residue else Verdict.NOTHING_LEFT

    @property
    def complete(self) -> bool:
        """Nothing undescribed, checked, and no residue: the erasure may say "nothing left"."""
        return self.verdict is Verdict.NOTHING_LEFT

    def outcome(self, table: str) -> TableOutcome:
        return self.tables.setdefault(table, TableOutcome())

    @property
    def kept_categories(self) -> dict[str, tuple[str, dt.date | None]]:
        """Per kept category, its ground and the latest end date (R19's letter)."""
        out: dict[str, tuple[str, dt.date | None]] = {}
        for row in self.kept:
            ground, ends = out.get(row.category, (row.ground, row.ends_on))
            if row.ends_on and (ends is None or row.ends_on > ends):
                ends = row.ends_on
            out[row.category] = (ground, ends)
        return out


@dataclass(frozen=True)
class SelectedTable:
    """Rows of ``table`` whose ``start`` is on or before ``cutoff`` (set-based)."""

    table: str
    category: str
    action: str
    cutoff: dt.date
    count: int


@dataclass(frozen=True)
class Selection:
    source: str
    category: str
    now: dt.datetime
    tables: tuple[SelectedTable, ...] = ()

    @property
    def count(self) -> int:
        return sum(t.count for t in self.tables)


@dataclass
class PurgeReport:
    """Counts per table and category (R14: no personal data in the report)."""

    source: str
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    #: Run with ``accept_unmapped``: the undescribed tables were not purged.
    incomplete: bool = False
    undescribed: list[str] = field(default_factory=list)


#: Person attributes a rectification writes (Art. 16); a manifest column names one with
#: ``attribute:``. ``full_name`` is derived from the first and last names.
ATTRIBUTES = (
    "civility",
    "first_name",
    "last_name",
    "full_name",
    "birth_date",
    "email",
    "phone",
    "mobile",
    "job_title",
    "address",
    "postal_code",
    "city",
    "country",
)
#: Attributes computed from others: never reported unmapped on their own.
DERIVED_ATTRIBUTES = frozenset({"full_name"})


@dataclass(frozen=True)
class RectifiedValue:
    """One value a rectification changed: where, and what it was (sealed by the caller,
    never logged)."""

    table: str
    key: str
    column: str
    attribute: str
    old: Any = field(repr=False)
    new: Any = field(repr=False)
    #: The register category of the place (Art. 19: whom to tell).
    category: str = ""


@dataclass
class RectifyReport:
    """What a rectification did in one source (Art. 16).

    ``held``: the source holds the person. ``unmapped``: attributes asked for that no
    mapped column holds there (someone must look: a task for the source's owner).
    ``issued``: tables of issued documents holding the person, left as they were.
    """

    source: str
    changed: list[RectifiedValue] = field(default_factory=list)
    held: bool = False
    unmapped: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)

    @property
    def table_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for value in self.changed:
            counts[value.table] = counts.get(value.table, 0) + 1
        return counts
