"""Mentions a second through the ingest pipeline, end to end, into SQLite and PostgreSQL.

    .venv/bin/python bench/ingest.py [--items 50000] [--batch 1000] [--enriched 10000]
        [--database sqlite|postgres|both] [--mode sequential|overlapped|both]

Input: the real recorded tweets of ../shared/data/customer-support-twitter/ (customers and
brands' answers, with reply links), parsed by the importer into ``NormalizedItem``s and
repeated with fresh ids (each copy a week later, its reply links kept inside the copy) up
to ``--items``. The figure is the wall time of the pipeline over every batch, in this
one process: normalize → dedupe against the database → match topics → store
authors and mentions → group near-duplicates → thread into conversations → alert rules,
each batch one transaction with its cursor. "sequential" runs ``pipeline.ingest`` batch
after batch, as the importer does; "overlapped" runs ``pipeline.ingest_batches``, which
prepares (normalizes, dedupes within the batch, matches topics) batch N+1 in a second
thread while batch N is stored: the same stores, in the same order, one transaction each,
with the database's waits and the preparation's CPU overlapping. "enriched" adds the
analysis app (language, sentiment, intent, priority) on the first ``--enriched`` items.
Each run starts from an empty database (one per mode): SQLite in a temporary folder,
PostgreSQL in ``bench_ingest`` on ``postgres://postgres@127.0.0.1:5432`` (dropped and
created again with dropdb/createdb; override with BENCH_POSTGRES_URL).

The figure is wall time. Beside it: the CPU seconds of this process and, when PostgreSQL
runs on this machine, of its server process: they share the machine's cores, so the wall
figure is what one worker gets on this machine with its database, not on a dedicated one.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
TWCS = ROOT.parent / "shared" / "data" / "customer-support-twitter" / "twcs_first5000.csv"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/bench_ingest")


def main() -> None:
    args = _arguments()
    if args.child:
        _run_child(args)
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    modes = ["sequential", "overlapped"] if args.mode == "both" else [args.mode]
    print(f"bench/ingest.py: {args.items:,} items in batches of {args.batch:,}, one process")
    print(f"  machine: {_machine()}")
    for database in databases:
        for mode in modes:
            url = _database_url(database)
            if url is None:
                break
            # A fresh interpreter per run: Django's settings are read once per process.
            env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
            env.setdefault("HARKEN_DATA_DIR", tempfile.mkdtemp(prefix="bench-ingest-"))
            child = [sys.executable, __file__, "--child", *sys.argv[1:], "--mode", mode]
            subprocess.run(child, env=env, check=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--enriched", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--mode", choices=["sequential", "overlapped", "both"], default="both")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def _machine() -> str:
    """Cores and CPU model: the figures mean little without them."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            names = (line.split(":", 1)[1] for line in cpuinfo if line.startswith("model name"))
            model = next(names, model).strip()
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {model}, {platform.system()}; Python {platform.python_version()}"
    )


def _database_url(database: str) -> str | None:
    if database == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    url = urlsplit(POSTGRES)
    name = url.path.lstrip("/")
    # The server of BENCH_POSTGRES_URL, never a database of the same name elsewhere.
    host = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    host += ["-U", url.username or "postgres", "-d", "postgres"]
    exists = subprocess.run(
        ["psql", *host, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
    )
    if exists.returncode != 0:
        print(f"  postgresql: skipped, cannot reach it ({exists.stderr.strip()[:120]})")
        return None
    admin = host[:-2]  # dropdb and createdb take the database as their argument
    if exists.stdout.strip() == "1":  # from an earlier run: start again from empty tables
        subprocess.run(["dropdb", *admin, name], check=True)
    subprocess.run(["createdb", *admin, name], check=True)
    return POSTGRES


# In the child process, with Django set up on DATABASE_URL ------------------------------


def _run_child(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harken.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    items = _recorded_items(args.items)
    label = _database_label(connection)
    overlapped = args.mode == "overlapped"
    if connection.vendor == "postgresql" and not overlapped:
        host = connection.settings_dict.get("HOST") or "localhost"
        if host in ("127.0.0.1", "localhost", "::1") or host.startswith("/"):
            print(f"  {label}: the server runs on this machine, sharing its {os.cpu_count()} cores")
        else:
            print(f"  {label}: the server runs on {host}")
    timing = _timed(items, args.batch, enrichment=False, label="plain", overlapped=overlapped)
    _print(label, f"{args.mode}: normalize → store → thread", len(items), *timing)
    enriched = [replace(i, external_id=f"e{i.external_id}") for i in items[: args.enriched]]
    timing = _timed(enriched, args.batch, enrichment=True, label="enriched", overlapped=overlapped)
    _print(label, f"{args.mode}: … with enrichment", len(enriched), *timing)


def _print(
    label: str, what: str, count: int, wall: float, cpu: float, server: float | None
) -> None:
    # Wall time is the figure. CPU seconds say where it went: SQLite works inside this
    # process; PostgreSQL in its server process, which shares this machine's cores.
    spent = f"CPU: this process {cpu:.1f} s"
    if server is not None:
        spent += f", database server {server:.1f} s"
    print(
        f"  {label:<18} {what:<40} {count:>7,} items {count / wall:>9,.0f} mentions/s wall"
        f"  ({wall:.1f} s; {spent})"
    )


def _database_label(connection) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    major, minor = divmod(connection.pg_version, 10_000)
    return f"PostgreSQL {major}.{minor}"


def _server_cpu(connection) -> float | None:
    """CPU seconds of this connection's PostgreSQL server process, when it runs here."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # another machine, or not Linux
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _recorded_items(count: int) -> list:
    from harken.listening.importer import CsvReader, Options, RowError, default_mapping, to_item

    if not TWCS.exists():
        sys.exit(f"The recorded items are missing: {TWCS}")
    with TWCS.open("rb") as handle:
        reader = CsvReader(handle)
        options = Options(mapping=default_mapping(reader.columns))
        base = []
        for _, record in reader.records():
            if isinstance(record, RowError):
                continue
            base.append(to_item(record, options))
    items = []
    copy = 0
    while len(items) < count:
        shift = timedelta(days=8 * copy)
        items.extend(_copy(item, copy, shift) for item in base)
        copy += 1
    return items[:count]


def _copy(item, copy: int, shift: timedelta):
    reply = f"{copy}-{item.in_reply_to}" if item.in_reply_to else ""
    return replace(
        item,
        external_id=f"{copy}-{item.external_id}",
        in_reply_to=reply,
        created=item.created + shift,
    )


def _timed(
    items: list, batch: int, *, enrichment: bool, label: str, overlapped: bool
) -> tuple[float, float, float | None]:
    """Seconds of wall time, of this process's CPU time and of the database server's CPU
    time (None where it cannot be read) to ingest ``items``."""
    from harken.core.models import Workspace
    from harken.listening.models import Mention, Source, Topic
    from harken.listening.pipeline import ingest, ingest_batches

    workspace = Workspace.objects.create(
        name=f"Bench {label}", slug=f"bench-{label}-{time.time_ns()}"
    )
    for name, query in [("Airlines", "delta OR flight OR baggage"), ("Phones", "iphone OR ios")]:
        Topic.objects.create(workspace=workspace, name=name, query=query)
    source = Source.objects.create(workspace=workspace, name="Bench", kind="search", network="x")
    if enrichment and items:
        ingest(source, items[:10], enrichment=True)  # load the models outside the timing
        items = items[10:]
    from django.db import connection

    server = _server_cpu(connection)
    started, cpu = time.perf_counter(), time.process_time()
    batches = ((items[start : start + batch], str(start)) for start in range(0, len(items), batch))
    if overlapped:
        for _ in ingest_batches(source, batches, enrichment=enrichment, overlap=True):
            pass
    else:
        for part, cursor in batches:
            ingest(source, part, cursor=cursor, enrichment=enrichment)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = _server_cpu(connection)
    server = None if server is None or after is None else after - server
    stored = Mention.objects.filter(workspace=workspace).count()
    assert stored >= len(items), f"stored {stored} of {len(items)}"
    return elapsed, cpu, server


if __name__ == "__main__":
    main()
