"""Load, edit, read (as at any date) and export the register (Art. 30, R1–R3).

Every change goes through ``apply_document``: the whole document is validated,
then written as a new immutable revision with its author and changed paths, the
data-category and recipient projections are updated, and an audit event is recorded, all in one
transaction. Nothing is written while any error remains.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.audit.actions import Action
from vigie.audit.actor import Actor
from vigie.audit.services import record_event
from vigie.lib import safe_yaml
from vigie.register.document import InvalidRegister, RegisterError, validate_document
from vigie.register.models import DataCategory, Recipient, Revision

PARIS = ZoneInfo("Europe/Paris")


def current_revision() -> Revision | None:
    return Revision.objects.order_by("-number").first()


def current_document() -> dict[str, Any] | None:
    revision = current_revision()
    return copy.deepcopy(revision.document) if revision else None


def count_retention_rules() -> int:
    """How many data categories of the current register carry a retention rule (R12)."""
    return DataCategory.objects.filter(in_register=True).count()


def revision_as_of(day: dt.date) -> Revision | None:
    """The register as it stood at the end of ``day`` (Europe/Paris), R3."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    return Revision.objects.filter(created_at__lt=end).order_by("-number").first()


def _canonical(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False)


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """Paths that differ; lists of keyed entries are matched by key, not position."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for field in sorted(set(old) | set(new), key=str):
            sub = f"{path}.{field}" if path else str(field)
            out += changed_paths(old.get(field), new.get(field), sub)
        return out
    if _keyed(old) and _keyed(new):
        before = {e["key"]: e for e in old}
        after = {e["key"]: e for e in new}
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            out += changed_paths(before.get(key), after.get(key), f"{path}[{key}]")
        return out
    return [] if old == new else [path or "(document)"]


def _keyed(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(e, dict) and isinstance(e.get("key"), str) for e in value)
    )


def apply_document(actor: Actor, doc: dict[str, Any], *, reason: str = "") -> Revision | None:
    """Validate and store ``doc`` as the register; None when it changes nothing."""
    errors = validate_document(doc)
    if errors:
        raise InvalidRegister(errors)
    with transaction.atomic():
        previous = Revision.objects.select_for_update().order_by("-number").first()
        if previous is not None and _canonical(previous.document) == _canonical(doc):
            return None
        changes = changed_paths(previous.document if previous else {}, doc)
        try:
            with transaction.atomic():
                revision = Revision(
                    number=(previous.number + 1) if previous else 1,
                    created_at=timezone.now(),
                    author_type=actor.kind,
                    author_id=actor.id,
                    reason=reason[:200],
                    document=doc,
                    changes=changes,
                )
                revision.save()
        except IntegrityError:
            raise InvalidRegister(
                [RegisterError("(document)", _("the register changed meanwhile: reload and retry"))]
            ) from None
        _project_categories(doc)
        _project_recipients(doc)
        record_event(
            actor,
            Action.REGISTER_CHANGE,
            revision,
            extra={"revision": revision.number, "changes": changes[:100], "count": len(changes)},
        )
    return revision


def _project_categories(doc: dict[str, Any]) -> None:
    keys = []
    for entry in doc["data_categories"]:
        keys.append(entry["key"])
        DataCategory.objects.update_or_create(
            key=entry["key"], defaults=DataCategory.fields_from(entry)
        )
    DataCategory.objects.exclude(key__in=keys).update(in_register=False)


def _project_recipients(doc: dict[str, Any]) -> None:
    """Create or update one row per recipient; one that left the register keeps its
    row (disclosures and notices point at it), marked as no longer in the register."""
    keys = []
    for entry in doc.get("recipients") or []:
        keys.append(entry["key"])
        Recipient.objects.update_or_create(key=entry["key"], defaults=Recipient.fields_from(entry))
    Recipient.objects.exclude(key__in=keys).update(in_register=False)


def find_recipient(key: str) -> Recipient | None:
    """The recipient row of ``key``, also when it has left the register since."""
    return Recipient.objects.filter(key=key).first()


def list_recipients(*, in_register: bool | None = True) -> list[Recipient]:
    """The projected recipients: those of the current register by default, ``None`` for all."""
    rows = Recipient.objects.all()
    if in_register is not None:
        rows = rows.filter(in_register=in_register)
    return list(rows)


def parse_yaml(content: str, *, name: str = "") -> dict[str, Any]:
    """Read a register (or one entry) with the bounded loader (vigie.lib.safe_yaml):
    no alias bomb, no runaway nesting, no duplicate key; errors name file and line."""
    try:
        doc = safe_yaml.load(content, name=name or "<string>")
    except yaml.YAMLError as error:
        where = safe_yaml.where(error, name or "(file)")
        message = _("not valid YAML: %(error)s") % {"error": error}
        raise InvalidRegister([RegisterError(where, message)]) from None
    if not isinstance(doc, dict):
        raise InvalidRegister([RegisterError("(document)", _("expected a YAML mapping"))])
    return doc


def load_file(actor: Actor, path: Path) -> Revision | None:
    """`vigie register load`: idempotent; a bad file changes nothing."""
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidRegister(
            [RegisterError(str(path), _("cannot read: %(error)s") % {"error": error})]
        ) from None
    return apply_document(actor, parse_yaml(content, name=path.name), reason=f"load {path.name}")


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def _entry(doc: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    for entry in doc.get(section) or []:
        if entry.get("key") == key:
            return entry
    raise InvalidRegister(
        [RegisterError(section, _("no entry with key %(key)s") % {"key": repr(key)})]
    )


def update_entry(
    actor: Actor, section: str, key: str, fields: dict[str, Any], *, reason: str = ""
) -> Revision | None:
    """Change some fields of one entry (back-office edits) and store a new revision."""
    doc = current_document()
    if doc is None:
        raise InvalidRegister([RegisterError("(document)", _("no register loaded yet"))])
    entry = _entry(doc, section, key)
    for field, value in fields.items():
        target = entry
        *parents, last = field.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return apply_document(actor, doc, reason=reason or f"edit {section}[{key}]")


class ExportError(ValueError):
    """The export cannot be made (no register at that date, bad option)."""


def export_register(
    actor: Actor,
    *,
    fmt: str,
    as_of: dt.date | None = None,
    role: str | None = None,
    lang: str = "fr",
) -> tuple[bytes, str, str]:
    """Return (content, file name, content type); the export is audited with its scope."""
    from vigie.register import exports

    if fmt not in exports.FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(exports.FORMATS)}")
    if as_of is not None and as_of > timezone.localdate():
        raise ExportError(f"--as-of {as_of.isoformat()} is in the future")
    revision = revision_as_of(as_of) if as_of else current_revision()
    if revision is None:
        when = f"on {as_of.isoformat()}" if as_of else "yet"
        raise ExportError(f"no register {when}: load one with `vigie register load FILE`")
    doc = revision.document
    meta = {
        "revision": revision.number,
        "revision_date": revision.created_at.astimezone(PARIS).isoformat(),
        "as_of": as_of.isoformat() if as_of else None,
        "role": role,
        "generated_at": timezone.now().astimezone(PARIS).isoformat(timespec="seconds"),
    }
    stamp = (as_of or timezone.localdate()).isoformat()
    name = f"registre-{stamp}" + (f"-{role}" if role else "")
    if fmt == "yaml":
        content = dump_yaml(doc).encode("utf-8")
        ctype = "application/yaml"
    elif fmt == "json":
        content, ctype = exports.to_json(doc, role=role, meta=meta, lang=lang), "application/json"
    elif fmt == "csv":
        content, ctype = exports.to_csv(doc, role), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content = exports.to_xlsx(doc, role)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, ctype = exports.to_pdf(doc, role=role, meta=meta), "application/pdf"
    with transaction.atomic():
        record_event(
            actor,
            Action.REGISTER_EXPORT,
            revision,
            extra={"format": fmt, "as_of": meta["as_of"], "role": role, "lang": lang},
        )
    return content, f"{name}.{fmt}", ctype


_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def value_at(doc: Any, path: str) -> Any:
    """The value at a path of ``changed_paths`` (keyed entries by key), or None."""
    current = doc
    for name, key in _TOKEN.findall(path):
        if name:
            current = current.get(name) if isinstance(current, dict) else None
        elif isinstance(current, list):
            current = next(
                (e for e in current if isinstance(e, dict) and e.get("key") == key), None
            )
        else:
            current = None
        if current is None:
            return None
    return current


def revision_changes(revision: Revision) -> list[tuple[str, Any, Any]]:
    """(path, before, after) for each change of ``revision`` (R3: the diff)."""
    previous = Revision.objects.filter(number__lt=revision.number).order_by("-number").first()
    before = previous.document if previous else {}
    return [
        (path, value_at(before, path), value_at(revision.document, path))
        for path in revision.changes
    ]
