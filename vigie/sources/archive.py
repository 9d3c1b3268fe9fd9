"""The archive index (R13): which source rows are kept after an erasure, why, until when."""

from __future__ import annotations

from collections.abc import Iterable

from vigie.sources.models import ArchivedRecord
from vigie.sources.types import KeptRow


def record_kept(source: str, rows: Iterable[KeptRow]) -> None:
    """Record kept rows; a row already recorded keeps its first entry (re-runs add nothing)."""
    ArchivedRecord.objects.bulk_create(
        [
            ArchivedRecord(
                source=source,
                table=row.table,
                row_key=row.key,
                category=row.category,
                ground=row.ground[:300],
                ends_on=row.ends_on,
            )
            for row in rows
        ],
        ignore_conflicts=True,
    )


def forget(source: str, table: str, keys: list[str]) -> int:
    """The rows were purged at the end of their retention: their entries go too."""
    deleted, _ = ArchivedRecord.objects.filter(
        source=source, table=table, row_key__in=keys
    ).delete()
    return deleted
