"""Fill msgstr entries of a .po file from a Python dict of translations.

Usage: python scripts/fill_po.py TRANSLATIONS.py vigie/locale/fr/LC_MESSAGES/django.po
TRANSLATIONS.py defines FR = {msgid: msgstr or (singular, plural)}. Entries that
already have a translation are kept; msgids missing from the dict are listed.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _join(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def fill(po_path: Path, translations: dict) -> list[str]:
    entries = po_path.read_text(encoding="utf-8").split("\n\n")
    missing = []
    out = []
    for entry in entries:
        m = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not m:
            out.append(entry)
            continue
        msgid = _join(m.group(1))
        if not msgid:
            out.append(entry)
            continue
        entry = entry.replace("#, fuzzy\n", "")
        value = translations.get(msgid)
        if value is None:
            missing.append(msgid)
            out.append(entry)
            continue
        if "msgid_plural" in entry:
            singular, plural = value if isinstance(value, tuple) else (value, value)
            entry = re.sub(r'msgstr\[0\] (?:".*"\n?)+', f"msgstr[0] {_quote(singular)}\n", entry)
            entry = re.sub(r'msgstr\[1\] (?:".*"\n?)+', f"msgstr[1] {_quote(plural)}", entry)
        else:
            entry = re.sub(r'^msgstr (?:".*"\n?)+', f"msgstr {_quote(value)}", entry, flags=re.M)
        out.append(entry.rstrip("\n"))
    po_path.write_text("\n\n".join(out).rstrip("\n") + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    table = runpy.run_path(sys.argv[1])["FR"]
    left = fill(Path(sys.argv[2]), table)
    for msgid in left:
        print("untranslated:", msgid)
    sys.exit(1 if left else 0)
