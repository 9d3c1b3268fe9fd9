"""Fail when a translation catalogue is incomplete or its compiled .mo is stale.

Every .po under vigie/locale is compiled with GNU msgfmt and compared with the
committed .mo; untranslated and fuzzy entries are refused (French first: a page
must not fall back to English source strings).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
