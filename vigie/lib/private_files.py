"""Everything Vigie writes under ``var/`` is readable by Vigie's own account only.

``var/`` holds the SQLite databases, the generated keys and the logs: a file readable by
every local account would hand the whole installation to any of them (Art. 32). Vigie's
processes run with umask 077, so every file they create is 0600 and every directory
0700 (SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file), and
at start-up ``var/`` itself and the files directly in it are brought back to that, for an
installation made before this rule.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

UMASK = 0o077


def make_private(var_dir: Path) -> None:
    """Set the process umask and close ``var_dir`` to every account but Vigie's."""
    os.umask(UMASK)
    var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in (var_dir, *var_dir.iterdir()):
        try:
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode) or not mode & 0o077:
                continue
            path.chmod(stat.S_IMODE(mode) & ~0o077)
        except OSError:
            # Not ours (a file another account put there): left as it is, and the
            # closed directory still keeps everyone else out.
            continue
