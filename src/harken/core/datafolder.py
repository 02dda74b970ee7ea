"""Who may read the data folder: only the user Harken runs as.

The folder holds the SQLite database (with everyone's sessions), the queue and the keys.
Harken creates it 0700 and its files 0600 (`harken` sets a umask of 077 at start, and the
settings create the database files 0600 before SQLite opens them, so their -wal and -shm
files get the same mode). A folder made by an older version, or by hand, may be wider:
`harken serve` and `harken worker` say so when they start.
"""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from django.conf import settings


def private_umask() -> None:
    """Keep whatever the umask already withholds, and withhold everything from others."""
    os.umask(os.umask(0o077) | 0o077)


def private_files() -> list[Path]:
    """The files only Harken's user should read, where they exist."""
    files = [settings.DATA_DIR / name for name in ("secret_key", "encryption_key")]
    databases = [
        Path(db["NAME"])
        for db in settings.DATABASES.values()
        if db["ENGINE"] == "django.db.backends.sqlite3"
    ]
    queue_file = settings.HUEY.get("filename")
    if isinstance(queue_file, str):
        databases.append(Path(queue_file))
    for database in databases:
        files += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return [path for path in files if path.exists()]


def loose_permissions() -> list[str]:
    """One sentence for the data folder if others may enter it, one for the files others
    may read or write, each with the command that fixes it; none when all is private."""
    found = []
    folder = settings.DATA_DIR
    mode = _mode(folder)
    if mode is not None and mode & 0o077:
        found.append(
            f"The data folder {folder} is open to other users (mode {mode:04o}); "
            f"`chmod 700 {shlex.quote(str(folder))}` closes it."
        )
    loose = [(path, m) for path in private_files() if (m := _mode(path)) and m & 0o077]
    if loose:
        listed = ", ".join(f"{path.name} ({mode:04o})" for path, mode in loose)
        paths = " ".join(shlex.quote(str(path)) for path, _ in loose)
        found.append(
            f"Files of the data folder are readable by other users: {listed}; "
            f"`chmod 600 {paths}` closes them."
        )
    return found


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:  # gone meanwhile (a -wal file at checkpoint)
        return None
