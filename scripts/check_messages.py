"""Fail when a translation catalogue is incomplete, out of date, or its .mo is stale.

Every .po under vigie/locale is compiled with GNU msgfmt and compared with the
committed .mo; untranslated and fuzzy entries are refused (French first: a page
must not fall back to English source strings). The strings are also extracted
afresh from a copy of the code: a string marked for translation but missing from
the catalogue (someone forgot `make messages`) fails too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MSGID = re.compile(r'^(msgctxt ((?:".*"\n)+))?msgid ((?:".*"\n?)+)', re.M)


def _msgids(po: Path) -> set[str]:
    found = set()
    for match in MSGID.finditer(po.read_text(encoding="utf-8")):
        context = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(3)))
        if text:
            found.add(f"{context}\x04{text}" if context else text)
    return found


def _fresh_msgids(language: str) -> set[str]:
    """Run makemessages on a throw-away copy of the code and read what it extracted."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vigie"
        shutil.copytree(ROOT / "vigie", copy, ignore=shutil.ignore_patterns("__pycache__"))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vigie.settings", "PYTHONPATH": str(ROOT)}
        subprocess.run(  # noqa: S603
            [
                *[sys.executable, "-m", "django", "makemessages", "-l", language],
                "--no-obsolete",
                "--no-location",
            ],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
        return _msgids(copy / "locale" / language / "LC_MESSAGES" / "django.po")


def main() -> int:
    failures = []
    catalogues = sorted((ROOT / "vigie" / "locale").glob("*/LC_MESSAGES/*.po"))
    if not catalogues:
        failures.append("no translation catalogue found under vigie/locale")
    for po in catalogues:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "check.mo"
            result = subprocess.run(  # noqa: S603
                ["msgfmt", "--check", "--statistics", "-o", str(out), str(po)],  # noqa: S607
                capture_output=True,
                text=True,
                env={"LC_ALL": "C"},
            )
            stats = result.stderr.strip()
            if result.returncode != 0:
                failures.append(f"{po}: msgfmt failed: {stats}")
                continue
            if "untranslated" in stats or "fuzzy" in stats:
                failures.append(f"{po}: incomplete ({stats}); run `make messages` and translate")
            language = po.parent.parent.name
            missing = sorted(_fresh_msgids(language) - _msgids(po))
            for text in missing[:20]:
                failures.append(f"{po}: not in the catalogue: {text!r}; run `make messages`")
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != out.read_bytes():
                failures.append(f"{mo}: stale or missing; run `make messages`")
    for failure in failures:
        print(failure, file=sys.stderr)
    if not failures:
        print(f"translations complete and compiled: {len(catalogues)} catalogue(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
