"""Only Harken's own user may read the data folder: the database holds every session.

Another local user once read `django_session` from a 0644 `harken.sqlite3` in a 0755
folder and reused a session. Harken now creates the folder 0700 and the database with its
-wal and -shm 0600, even under a permissive umask, and says so when an older folder is wider.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from harken.core import datafolder
from harken.core.datafolder import loose_permissions
from tests.core.processes import fresh_env

#: Opens the database in WAL mode, writes, and reports the modes while the connection is
#: open (SQLite removes -wal and -shm when the last connection closes).
REPORT_MODES = """
import json, os, stat
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (x)")
    cursor.execute("INSERT INTO probe VALUES (1)")
    names = ["", "harken.sqlite3", "harken.sqlite3-wal", "harken.sqlite3-shm", "queue.sqlite3",
             "secret_key", "encryption_key"]
    print(json.dumps({n: stat.S_IMODE(os.stat(settings.DATA_DIR / n).st_mode) for n in names}))
"""


def test_a_new_data_folder_and_its_database_files_are_private_under_a_loose_umask(tmp_path):
    data = tmp_path / "nested" / "data"
    result = subprocess.run(
        [sys.executable, "-m", "harken", "shell", "-c", REPORT_MODES],
        env=fresh_env(data),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: os.umask(0o022),  # as most systems start a process
    )
    assert result.returncode == 0, result.stderr
    modes = json.loads(result.stdout.strip().splitlines()[-1])
    assert modes.pop("") == 0o700, oct(stat.S_IMODE(data.stat().st_mode))
    assert {name: oct(mode) for name, mode in modes.items()} == {name: oct(0o600) for name in modes}


def test_a_folder_and_files_open_to_others_are_named_with_the_fix(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    database, queue = data / "harken.sqlite3", data / "queue.sqlite3"
    for path, mode in [
        (data / "secret_key", 0o600),
        (database, 0o600),
        (queue, 0o644),
        (Path(f"{queue}-wal"), 0o640),
    ]:
        path.write_text("x")
        path.chmod(mode)
    # The settings of such an install (not the suite's, whose test database is elsewhere).
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}
    installed = SimpleNamespace(
        DATA_DIR=data, DATABASES={"default": sqlite}, HUEY={"filename": str(queue)}
    )
    monkeypatch.setattr(datafolder, "settings", installed)
    folder, files = loose_permissions()
    assert folder == (
        f"The data folder {data} is open to other users (mode 0755); `chmod 700 {data}` closes it."
    )
    assert files == (
        "Files of the data folder are readable by other users: queue.sqlite3 (0644), "
        f"queue.sqlite3-wal (0640); `chmod 600 {queue} {queue}-wal` closes them."
    )
    data.chmod(0o700)
    for path in (queue, Path(f"{queue}-wal")):
        path.chmod(0o600)
    assert loose_permissions() == []
    database.chmod(0o604)
    assert loose_permissions() == [
        "Files of the data folder are readable by other users: harken.sqlite3 (0604); "
        f"`chmod 600 {database}` closes them."
    ]
