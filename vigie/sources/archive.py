"""The archive index (R13): which source rows are kept after an erasure, why, until when,
and for whom (a keyed reference of the person's identifiers, so that a later access
request finds them again, R51)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.db import transaction

from vigie.lib import keyring
from vigie.sources.models import ArchivedRecord, ArchivedSubject
from vigie.sources.types import KeptRow, Subject

SUBJECT_PURPOSE = "vigie:sources:kept-subject"


def subject_refs(pairs: Iterable[tuple[str, object]]) -> tuple[str, ...]:
    """Keyed references of ``(attribute, value)`` identifiers (``("email", "a@b.fr")``):
    the same value, normalised as a ``Subject`` normalises it, gives the same reference;
    the value cannot be read back from it."""
    key = keyring.derive_key(SUBJECT_PURPOSE)
    refs: dict[str, None] = {}
    for attribute, value in pairs:
        text = Subject.normalise(attribute, str(value)) if value is not None else ""
        if not text:
            continue
        message = f"{attribute}\x00{text}".encode()
        refs[hmac.new(key, message, hashlib.sha256).hexdigest()] = None
    return tuple(sorted(refs))


def refs_of(subject: Subject) -> tuple[str, ...]:
    return subject_refs((a, v) for a, values in subject.attributes.items() for v in values)


def record_kept(source: str, rows: Iterable[KeptRow]) -> None:
    """Record kept rows; a row already recorded keeps its first entry (re-runs add nothing)
    and gains the references of the people it is kept for."""
    rows = list(rows)
    with transaction.atomic():
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
        with_refs = [r for r in rows if r.subject_refs]
        if not with_refs:
            return
        ids = {
            (table, key): pk
            for pk, table, key in ArchivedRecord.objects.filter(
                source=source,
                table__in={r.table for r in with_refs},
                row_key__in={r.key for r in with_refs},
            ).values_list("pk", "table", "row_key")
        }
        ArchivedSubject.objects.bulk_create(
            [
                ArchivedSubject(record_id=ids[(row.table, row.key)], ref=ref)
                for row in with_refs
                if (row.table, row.key) in ids
                for ref in row.subject_refs
            ],
            ignore_conflicts=True,
        )


def kept_for(source: str, refs: Iterable[str]) -> list[KeptRow]:
    """The rows of ``source`` kept after an erasure of the person these references
    name, with their ground and end date (an access request after the erasure, R51)."""
    refs = list(refs)
    if not refs:
        return []
    records = ArchivedRecord.objects.filter(source=source, subjects__ref__in=refs).distinct()
    return [
        KeptRow(r.table, r.row_key, r.category, r.ground, r.ends_on)
        for r in records.order_by("table", "row_key")
    ]


def forget(source: str, table: str, keys: list[str]) -> int:
    """The rows were purged at the end of their retention: their entries go too (and the
    references of whom they were kept for, with them)."""
    _total, per_model = ArchivedRecord.objects.filter(
        source=source, table=table, row_key__in=keys
    ).delete()
    return per_model.get(ArchivedRecord._meta.label, 0)
