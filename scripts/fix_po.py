"""Set msgstr entries of a .po file from a Python dict, replacing fuzzy guesses.

Usage: python scripts/fix_po.py TRANSLATIONS.py vigie/locale/fr/LC_MESSAGES/django.po
TRANSLATIONS.py defines FR = {msgid: msgstr, or (singular, plural) for a plural
entry}. Unlike fill_po.py, an entry listed in the dict is rewritten even when it
holds a (fuzzy) translation, and its fuzzy flag and previous-msgid comments go:
the dict is the reviewed translation.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fill_po import _join, _quote


def fix(po_path: Path, translations: dict[str, str]) -> int:
    entries = po_path.read_text(encoding="utf-8").split("\n\n")
    changed = 0
    for n, entry in enumerate(entries):
        m = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not m:
            continue
        msgid = _join(m.group(1))
        if msgid not in translations:
            continue
        lines = [
            line for line in entry.split("\n") if not line.startswith("#|") and line != "#, fuzzy"
        ]
        kept = "\n".join(lines)
        value = translations[msgid]
        if "msgid_plural" in entry:
            singular, plural = value
            kept = kept[: kept.index("msgstr[0] ")]
            kept += f"msgstr[0] {_quote(singular)}\nmsgstr[1] {_quote(plural)}"
        else:
            kept = kept[: kept.index("msgstr ")] + "msgstr " + _quote(value)
        entries[n] = kept
        changed += 1
    po_path.write_text("\n\n".join(entries), encoding="utf-8")
    return changed


if __name__ == "__main__":
    table = runpy.run_path(sys.argv[1])["FR"]
    print(f"{fix(Path(sys.argv[2]), table)} entries set")
