"""Semantic checks of a manifest, after the JSON Schema has accepted its shape.

These are the rules a schema cannot say: references between parts, and the
erasure rules of Art. 17 (a kept row needs a retention rule giving its end date,
Art. 17(3); a row cannot be both deleted and kept).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vigie.sources.manifest import Follows, Manifest, Table

Problem = tuple[str, str]


def check_semantics(manifest: Manifest, categories: set[str] | None) -> list[Problem]:
    """Every problem as ``(path, message)``; ``categories``: the register's, if known."""
    problems: list[Problem] = []
    tables = manifest.tables

    def need_table(name: str, path: str) -> None:
        if name not in tables:
            problems.append((path, f"table {name!r} is not described under `tables`"))

    for name, identity in manifest.identities.items():
        ipath = f"identities.{name}"
        need_table(identity.table, f"{ipath}.table")
        for attr, match in identity.match.items():
            if match.table:
                need_table(match.table, f"{ipath}.match.{attr}.table")

    for name, table in tables.items():
        tpath = f"tables.{name}"
        for pattern in manifest.not_personal_tables:
            if fnmatchcase(name, pattern):
                problems.append((tpath, f"also matched by not_personal_tables pattern {pattern!r}"))
        for index, link in enumerate(table.links):
            lpath = f"{tpath}.links.{index}"
            if link.identity not in manifest.identities:
                problems.append((f"{lpath}.identity", f"no identity named {link.identity!r}"))
            if len(link.through) == 1:
                need_table(link.through[0].table, f"{lpath}.through.table")
            for hop, through in enumerate(link.through if len(link.through) > 1 else ()):
                need_table(through.table, f"{lpath}.through.{hop}.table")
            if not link.through and link.references is not None:
                problems.append((f"{lpath}.references", "only meaningful with `through`"))
            if link.like is not None:
                if link.column is None:
                    problems.append(
                        (f"{lpath}.like", "needs `column` (the text column holding the value)")
                    )
                for number, pattern in enumerate(link.like.all_patterns):
                    if pattern.count("{}") != 1:
                        problems.append(
                            (
                                f"{lpath}.like.patterns.{number}",
                                "needs exactly one {} (where the value stands)",
                            )
                        )
        problems += _check_columns(table, tpath, categories)
        problems += _check_portable(table, tpath)
        problems += _check_follows(manifest, name, f"{tpath}.retention")
        problems += _check_marks(manifest.versions, table, tpath)
    return problems


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def version_matches(mark: str, version: str) -> bool:
    """Does the mark ("11", ">=20.0", "<19.0", "==22.0") cover ``version`` ("11.0.7", "22.0")?
    A bare mark covers the versions it prefixes ("11" covers 11.0.7); a comparison compares
    as many parts as the mark gives."""
    operator = next((op for op in (">=", "<=", "==", ">", "<") if mark.startswith(op)), "")
    wanted = _version(mark[len(operator) :])
    have = _version(version)[: len(wanted)]
    have = have + (0,) * (len(wanted) - len(have))
    return {
        "": have == wanted,
        "==": have == wanted,
        ">=": have >= wanted,
        "<=": have <= wanted,
        ">": have > wanted,
        "<": have < wanted,
    }[operator]


def covered(marks: tuple[str, ...], version: str) -> bool:
    """A table or column with these ``versions`` marks exists in ``version``."""
    return not marks or any(version_matches(mark, version) for mark in marks)


def _check_marks(claimed: tuple[str, ...], table: Table, tpath: str) -> list[Problem]:
    """A `versions` mark outside every version the manifest claims names nothing real."""
    if not claimed:
        return []
    problems: list[Problem] = []
    marked = [(f"{tpath}.versions", table.versions)] + [
        (f"{tpath}.columns.{c.name}.versions", c.versions) for c in table.columns.values()
    ]
    for path, marks in marked:
        if marks and not any(covered(marks, version) for version in claimed):
            problems.append(
                (
                    path,
                    f"{list(marks)} is in no version the manifest describes ({', '.join(claimed)})",
                )
            )
    return problems


def _check_follows(manifest: Manifest, name: str, rpath: str) -> list[Problem]:
    """A `follows` chain reaches a table with a `start` date, without a cycle."""
    retention = manifest.tables[name].retention
    if retention is None or retention.follows is None:
        return []
    problems: list[Problem] = []
    if retention.from_fiscal_year_close:
        problems.append(
            (f"{rpath}.from", "not with `follows`: the parent's rule says how its date counts")
        )
    seen = [name]
    current: Follows | None = retention.follows
    while current is not None:
        parent = manifest.tables.get(current.table)
        if parent is None:
            problems.append(
                (
                    f"{rpath}.follows.table",
                    f"table {current.table!r} is not described under `tables`",
                )
            )
            break
        if parent.retention is None:
            problems.append(
                (f"{rpath}.follows.table", f"{current.table} has no `retention` rule to follow")
            )
            break
        if current.table in seen:
            chain = " -> ".join([*seen, current.table])
            problems.append(
                (f"{rpath}.follows.table", f"the rows follow each other in a cycle: {chain}")
            )
            break
        seen.append(current.table)
        current = parent.retention.follows
    return problems


def _check_columns(table: Table, tpath: str, categories: set[str] | None) -> list[Problem]:
    problems: list[Problem] = []
    strategies = {c.erase for c in table.personal_columns}
    for column in table.personal_columns:
        cpath = f"{tpath}.columns.{column.name}"
        if categories is not None and column.category not in categories:
            problems.append(
                (f"{cpath}.category", f"{column.category!r} is not a category of the register")
            )
        if column.erase == "mask" and column.mask is None:
            problems.append((f"{cpath}.mask", "required with erase: mask (the value to write)"))
        if column.erase != "mask" and column.mask is not None:
            problems.append((f"{cpath}.mask", "only meaningful with erase: mask"))
        if column.erase == "keep" and table.retention is None:
            problems.append(
                (
                    f"{cpath}.erase",
                    "keep needs a `retention` rule on the table (it gives the end date)",
                )
            )
        if column.attribute and (column.issued or table.issued):
            # An issued document is never altered (C. com. L123-22): a rectification
            # cannot write there.
            problems.append(
                (f"{cpath}.attribute", "an issued document is never altered: remove `attribute`")
            )
    if {"delete_row", "keep"} <= strategies:
        problems.append(
            (
                f"{tpath}.columns",
                "a table cannot mix delete_row and keep: a kept row cannot be deleted",
            )
        )
    retention = table.retention
    if retention is not None:
        rpath = f"{tpath}.retention"
        if categories is not None and retention.category not in categories:
            problems.append(
                (f"{rpath}.category", f"{retention.category!r} is not a category of the register")
            )
        if retention.action == "anonymise":
            if "delete_row" in strategies:
                problems.append((f"{rpath}.action", "anonymise and a delete_row column contradict"))
            if not strategies & {"null", "mask"}:
                # Hashing is pseudonymisation (Recital 26), not anonymisation; and a
                # nulled or masked column is how a re-run tells done rows apart.
                problems.append(
                    (f"{rpath}.action", "anonymise needs a column erased by null or mask")
                )
    return problems


def _check_portable(table: Table, path: str) -> list[Problem]:
    """R58 marks: the author column is a direct link's, the row conditions name columns
    of the table, and a table limited to some rows has something portable."""
    problems: list[Problem] = []
    author = table.portable_author
    if author is not None and not any(
        link.column == author and not link.through and link.like is None for link in table.links
    ):
        problems.append(
            (f"{path}.portable_author", f"no direct link of the table uses column {author!r}")
        )
    for name in table.portable_when:
        if name not in table.columns:
            problems.append((f"{path}.portable_when.{name}", f"no column {name!r} in the table"))
    if (author is not None or table.portable_when) and not table.portable_columns():
        problems.append((f"{path}.portable", "rows are limited but no column is portable"))
    return problems
