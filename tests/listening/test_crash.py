"""Kill the worker mid-batch, restart it: no mention lost, none duplicated.

Real processes on a real SQLite file: the import runs in a subprocess that dies with
``os._exit`` (no cleanup, like kill -9) after its mentions are inserted and before the
batch commits, via the pipeline's HARKEN_CRASH_AT hook.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parents[2]
ROWS = 800
CHUNK = 100

SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from harken.core.models import Workspace
Workspace.objects.get_or_create(slug="crash", defaults={"name": "Crash test"})
"""

IMPORT = """
import sys, django; django.setup()
from harken.core.models import Workspace
from harken.listening.importer import import_file
report = import_file(
    Workspace.objects.get(slug="crash"), sys.argv[1], chunk_size=int(sys.argv[2]), enrichment=False
)
print(report.imported, report.already, report.skipped, len(report.rejected))
"""

# The overlapped pipeline (batch N+1 prepared in a thread while N is stored): each batch's
# cursor is the count of rows stored with it, and a restart resumes from the cursor.
OVERLAPPED = """
import sys, django; django.setup()
from harken.core.models import Workspace
from harken.listening.importer import CsvReader, Options, RowError, default_mapping, to_item
from harken.listening.models import Source
from harken.listening.pipeline import ingest_batches
workspace = Workspace.objects.get(slug="crash")
source, _ = Source.objects.get_or_create(
    workspace=workspace, name="Overlapped", kind="import", network="x"
)
with open(sys.argv[1], "rb") as handle:
    reader = CsvReader(handle)
    options = Options(mapping=default_mapping(reader.columns))
    items = [to_item(r, options) for _, r in reader.records() if not isinstance(r, RowError)]
size, start = int(sys.argv[2]), int(source.cursor or 0)
batches = ((items[n : n + size], str(n + size)) for n in range(start, len(items), size))
stored = sum(r.stored for r in ingest_batches(source, batches, enrichment=False, overlap=True))
print(start, stored)
"""


@pytest.fixture
def recorded(tmp_path) -> Path:
    """The first well-formed rows of the real Customer Support on Twitter file."""
    original = shared_data("customer-support-twitter", "twcs_first5000.csv")
    path = tmp_path / "recorded.csv"
    with original.open(newline="", encoding="utf-8") as source, path.open("w", newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out)
        writer.writerow(next(reader))
        for _, row in zip(range(ROWS), reader, strict=False):
            writer.writerow(row)
    return path


def _ids(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row["tweet_id"] for row in csv.DictReader(handle)]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "HARKEN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'harken.sqlite3'}",
        HARKEN_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _run(script: str, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        env=_env(tmp_path, **env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _stored(tmp_path: Path) -> tuple[list[str], int]:
    with sqlite3.connect(tmp_path / "harken.sqlite3") as db:
        ids = [row[0] for row in db.execute("SELECT external_id FROM listening_mention")]
        unthreaded = db.execute(
            "SELECT COUNT(*) FROM listening_mention WHERE conversation_id IS NULL"
        ).fetchone()[0]
    return ids, unthreaded


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(tmp_path, recorded):
    assert _run(SETUP, tmp_path).returncode == 0
    crashed = _run(IMPORT, tmp_path, str(recorded), str(CHUNK), HARKEN_CRASH_AT="stored:4")
    assert crashed.returncode == 137, crashed.stderr
    partial, _ = _stored(tmp_path)
    assert len(partial) == 3 * CHUNK  # the fourth batch died uncommitted

    restarted = _run(IMPORT, tmp_path, str(recorded), str(CHUNK))
    assert restarted.returncode == 0, restarted.stderr
    imported, already, skipped, rejected = map(int, restarted.stdout.split())
    assert skipped == 3 * CHUNK  # resumed after the last stored batch
    assert imported == ROWS - 3 * CHUNK

    stored, unthreaded = _stored(tmp_path)
    assert sorted(stored) == sorted(_ids(recorded))
    assert len(stored) == len(set(stored)) == ROWS
    assert unthreaded == 0


def test_an_overlapped_worker_killed_mid_batch_loses_and_duplicates_nothing(tmp_path, recorded):
    assert _run(SETUP, tmp_path).returncode == 0
    crashed = _run(OVERLAPPED, tmp_path, str(recorded), str(CHUNK), HARKEN_CRASH_AT="stored:4")
    assert crashed.returncode == 137, crashed.stderr
    partial, _ = _stored(tmp_path)
    assert len(partial) == 3 * CHUNK  # the fourth batch died uncommitted, prepared or not

    restarted = _run(OVERLAPPED, tmp_path, str(recorded), str(CHUNK))
    assert restarted.returncode == 0, restarted.stderr
    start, stored_now = map(int, restarted.stdout.split())
    assert (start, stored_now) == (3 * CHUNK, ROWS - 3 * CHUNK)  # resumed at the cursor

    stored, unthreaded = _stored(tmp_path)
    assert sorted(stored) == sorted(_ids(recorded))
    assert len(stored) == len(set(stored)) == ROWS
    assert unthreaded == 0


def test_two_workers_on_the_same_file_store_each_mention_once(tmp_path, recorded):
    assert _run(SETUP, tmp_path).returncode == 0
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", IMPORT, str(recorded), "50"],
            env=_env(tmp_path),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    stored, unthreaded = _stored(tmp_path)
    assert sorted(stored) == sorted(_ids(recorded))
    assert len(stored) == len(set(stored))
    assert unthreaded == 0


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database on the server of the suite's own DATABASE_URL (or of
    HARKEN_TEST_POSTGRES_URL=postgres://user@host:port)."""
    server = os.environ.get("HARKEN_TEST_POSTGRES_URL", "")
    suite = os.environ.get("DATABASE_URL", "")
    if not server and suite.startswith(("postgres://", "postgresql://")):
        server = suite.rsplit("/", 1)[0]
    if not server:
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)")
    import psycopg

    name = f"harken_crash_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_workers_on_postgresql_store_each_mention_once(tmp_path, recorded, postgres_url):
    env = {"DATABASE_URL": postgres_url}
    assert _run(SETUP, tmp_path, **env).returncode == 0
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", IMPORT, str(recorded), "50"],
            env=_env(tmp_path, **env),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    import psycopg

    with psycopg.connect(postgres_url) as db:
        stored = [row[0] for row in db.execute("SELECT external_id FROM listening_mention")]
        unthreaded = db.execute(
            "SELECT COUNT(*) FROM listening_mention WHERE conversation_id IS NULL"
        ).fetchone()[0]
    assert sorted(stored) == sorted(_ids(recorded))
    assert unthreaded == 0
