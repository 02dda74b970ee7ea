"""Server time per page with 50,000 mentions: stream, topics, sources, alerts.

    .venv/bin/python bench/pages.py [--mentions 50000] [--requests 40] [--pages stream,topics]
        [--data DIR] [--fresh] [--profile PAGE]

Loads ``--mentions`` mentions into one workspace, then requests each page ``--requests``
times (after three unmeasured warm-up requests) through Django's WSGI handler, as
waitress calls it: the production settings (``HARKEN_DEBUG`` off, every middleware, the
session cookie of a signed-in owner, the request's database connection opened and closed
as in a real request, with the database also held open by another connection as
``harken serve``'s queue consumer holds it). Printed per page: the median and p95 of the
wall time per request, the fastest one (on a shared machine, the nearest to what a quiet
one gives), the median CPU time of this process (the whole server's on SQLite; on
PostgreSQL the database server works in its own process), the median time spent waiting
on SQL, the number of queries and the size of the page.

The mentions are the recorded customer-support tweets of
``../shared/data/customer-support-twitter/`` (real text and lengths; repeated with fresh
ids, each copy a week earlier, when more are asked for) or, where that folder is absent,
generated sentences. They are stored through the ingest pipeline, the newest 2,000 with the
analysis app's enrichment (language, sentiment, intents, priority), so that the first
pages of the stream show what real ones show. The workspace also has topics, sources and
the demo's alert rules.

Database: SQLite in a temporary folder by default (``--data DIR`` keeps it in DIR and
reuses it on the next run); ``DATABASE_URL`` for PostgreSQL, best a database of its own
(``createdb bench_pages``, then postgres://postgres@127.0.0.1:5432/bench_pages), where the
workspace is reused by later runs too (``--fresh`` loads it again).

Another page joins with one line in ``PAGES`` below (``Page("inbox", "inbox")``).
``--profile stream`` prints where one page's time goes (cProfile, sorted by cumulative
time) instead of the figures.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TWCS = ROOT.parent / "shared" / "data" / "customer-support-twitter" / "twcs_first5000.csv"
ENRICHED = 2_000
OWNER = "bench-owner"


@dataclass(frozen=True)
class Page:
    """A page to time: its name, its URL name and query, and (rarely) a setting to patch."""

    name: str
    url_name: str
    query: dict[str, str] = field(default_factory=dict)
    #: (module, attribute, value) set while this page is timed, e.g. a larger page size.
    patch: tuple[str, str, Any] | None = None
    #: Asked by htmx (a partial, such as the stream's poll for new arrivals).
    htmx: bool = False


PAGES = [
    Page("stream", "listening"),
    Page("stream, 50 cards", "listening", patch=("harken.listening.views.stream", "PAGE", 50)),
    Page("stream, search", "listening", {"q": "flight"}),
    # A word no mention holds: every text of the workspace is read.
    Page("stream, no hit", "listening", {"q": "qwertyuiop"}),
    # Every open stream asks every 15 s; none new since the page was drawn.
    Page("stream, poll", "listening", {"newer": str(2**63 - 2)}, htmx=True),
    Page("topics", "topic_list"),
    Page("sources", "source_list"),
    Page("alerts", "alert_rule_list"),
]


def main() -> None:
    args = _arguments()
    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bench-pages-"))
    data.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HARKEN_DATA_DIR", str(data))
    os.environ["HARKEN_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("HARKEN_DEBUG", None)  # production settings: what a user is served
    os.environ["DJANGO_SETTINGS_MODULE"] = "harken.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"bench/pages.py: {args.mentions:,} mentions, {args.requests} requests a page")
    print(f"  machine: {_machine()}")
    print(f"  database: {_database_label(connection)}")
    session = _workspace(args.mentions, fresh=args.fresh)
    held = _hold_sqlite(connection)  # noqa: F841 - kept open until the end
    pages = [p for p in PAGES if not args.pages or p.name.split(",")[0] in args.pages]
    if args.profile:
        chosen = [p for p in PAGES if p.name == args.profile] or sys.exit(f"no page {args.profile}")
        _profile(chosen[0], session, args.requests)
        return
    print(
        f"  {'page':<18} {'median':>8} {'p95':>8} {'best':>8} {'CPU':>8} {'SQL':>8}"
        f" {'queries':>8} {'bytes':>9}"
    )
    for page in pages:
        _print(page, _time(page, session, args.requests))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--pages", type=lambda text: text.split(","), default=None, help="e.g. stream,topics"
    )
    parser.add_argument("--data", help="keep the SQLite database in this folder, and reuse it")
    parser.add_argument("--fresh", action="store_true", help="load the mentions again")
    parser.add_argument("--profile", metavar="PAGE", help="profile one page (its full name)")
    return parser.parse_args()


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            names = (line.split(":", 1)[1] for line in cpuinfo if line.startswith("model name"))
            model = next(names, model).strip()
    except OSError:
        pass
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    return f"{os.cpu_count()} cores, {model}; Python {platform.python_version()}; load {load}"


def _database_label(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version} ({connection.settings_dict['NAME']})"
    major, minor = divmod(connection.pg_version, 10_000)
    return f"PostgreSQL {major}.{minor} ({connection.settings_dict['NAME']})"


# Loading ------------------------------------------------------------------------------


def _workspace(count: int, *, fresh: bool) -> str:
    """The bench workspace with ``count`` mentions (loaded unless already there), and the
    session key of its owner."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from harken.core.models import Member, Role, Workspace
    from harken.listening.models import Mention

    slug = f"bench-pages-{count}"
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is not None and fresh:
        Workspace.objects.filter(pk=workspace.pk).delete()
        workspace = None
    if workspace is None:
        workspace = Workspace.objects.create(name=f"Bench pages ({count:,})", slug=slug)
        started = time.perf_counter()
        _load(workspace, count)
        _settle()
        print(f"  loaded in {time.perf_counter() - started:.1f} s")
    stored = Mention.objects.filter(workspace=workspace).count()
    print(f"  workspace {slug}: {stored:,} mentions")
    user, _ = get_user_model().objects.get_or_create(username=OWNER)
    Member.objects.get_or_create(workspace=workspace, user=user, defaults={"role": Role.OWNER})
    Member.objects.filter(user=user).exclude(workspace=workspace).delete()
    client = Client()
    client.force_login(user)
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _load(workspace: Any, count: int) -> None:
    from django.utils import timezone

    from harken.listening.alerts.demo import add_demo_rules
    from harken.listening.models import Source, Topic
    from harken.listening.pipeline import ingest

    topics = [
        ("Airlines", Topic.Kind.INDUSTRY, "delta OR flight OR baggage OR airline"),
        ("Phones", Topic.Kind.INDUSTRY, "iphone OR ios OR battery"),
        ("Refunds", Topic.Kind.BRAND, "refund OR refunded OR money back"),
        ("Delivery", Topic.Kind.BRAND, "order OR package OR delivery"),
        ("Support", Topic.Kind.BRAND, "help OR support OR dm"),
    ]
    for name, kind, query in topics:
        Topic.objects.create(workspace=workspace, name=name, kind=kind, query=query)
    sources = [
        Source.objects.create(
            workspace=workspace,
            name=f"{network.title()} search",
            kind=Source.Kind.SEARCH,
            network=network,
            query="support",
            enabled=False,
        )
        for network in ("x", "mastodon", "bluesky")
    ]
    Source.objects.create(
        workspace=workspace,
        name="News feed",
        kind=Source.Kind.FEED,
        network="feed",
        url="https://news.example/feed",
        enabled=False,
        last_error="HTTP 503 from news.example: Service Unavailable",
    )
    items = _items(count, timezone.now())
    plain, enriched = items[: max(0, count - ENRICHED)], items[max(0, count - ENRICHED) :]
    for part, enrichment in ((plain, False), (enriched, True)):
        for start in range(0, len(part), 1_000):
            batch = part[start : start + 1_000]
            source = sources[(start // 1_000) % len(sources)]
            batch = [replace(item, network=source.network) for item in batch]
            ingest(source, batch, enrichment=enrichment)
    # After the mentions, as the demo does, so that loading sends no alert.
    add_demo_rules(workspace, "alerts@bench.example")


def _settle() -> None:
    """What autovacuum does soon after a load: fresh statistics, and a visibility map that
    lets PostgreSQL count from an index alone. Timed right after the load without it, the
    plans are those of an empty table (the Sources page: 140 ms of SQL instead of 30)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _items(count: int, now: Any) -> list[Any]:
    """``count`` items, oldest first, the newest posted a minute ago."""
    base = _recorded() if TWCS.exists() else []
    if not base:
        base = _generated(now)
    newest = max(item.created for item in base)
    items: list[Any] = []
    copy = 0
    while len(items) < count:
        shift = now - timedelta(minutes=1) - newest - timedelta(days=7 * copy)
        items.extend(
            replace(
                item,
                external_id=f"{copy}-{item.external_id}",
                in_reply_to=f"{copy}-{item.in_reply_to}" if item.in_reply_to else "",
                created=item.created + shift,
            )
            for item in base
        )
        copy += 1
    return sorted(items[:count], key=lambda item: item.created)


def _recorded() -> list[Any]:
    from harken.listening.importer import CsvReader, Options, RowError, default_mapping, to_item

    with TWCS.open("rb") as handle:
        reader = CsvReader(handle)
        options = Options(mapping=default_mapping(reader.columns))
        return [
            to_item(record, options)
            for _, record in reader.records()
            if not isinstance(record, RowError)
        ]


def _generated(now: Any) -> list[Any]:
    import random

    from harken.networks.base import NormalizedItem

    rng = random.Random(8)
    # fmt: off
    words = [
        "my", "flight", "was", "delayed", "again", "and", "the", "baggage", "is", "lost",
        "please", "help", "refund", "order", "package", "delivery", "battery", "iphone",
        "love", "great", "thanks", "terrible", "support", "dm", "waiting", "hours", "today",
        "store", "open", "sunday", "question", "why", "how", "amazing", "service", "never",
    ]
    # fmt: on
    return [
        NormalizedItem(
            network="x",
            external_id=str(n),
            kind="post",
            text=" ".join(rng.choice(words) for _ in range(rng.randrange(6, 45))),
            created=now - timedelta(minutes=7 * 24 * 60 * n / 5_000),
            author_id=f"author-{n % 3_000}",
            author_handle=f"customer{n % 3_000}",
            author_followers=rng.choice([None, 12, 340, 5_600, 120_000]),
            url=f"https://x.example/customer/status/{n}",
        )
        for n in range(5_000)
    ]


def _hold_sqlite(connection: Any) -> Any:
    """A second connection to the SQLite file, open while the pages are timed.

    ``harken serve`` runs its queue consumer beside the web server, and that holds the
    database open: a request's connection is then never the last one, whose closing
    checkpoints the write-ahead log and deletes it (and the next request's opening makes
    it again). Without this, every request here would pay that, which a server does not.
    """
    if connection.vendor != "sqlite":
        return None
    import sqlite3

    held = sqlite3.connect(connection.settings_dict["NAME"])
    held.execute("SELECT count(*) FROM django_migrations").fetchone()
    return held


# Timing --------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float
    sql: float
    queries: int
    size: int


def _time(page: Page, session: str, requests: int) -> list[Sample]:
    from django.db import connection

    application = _application()
    environ = _environ(page, session)
    samples = []
    with _patched(page):
        for number in range(requests + 3):
            sql = [0.0, 0]

            def timed(execute: Callable, *args: Any, sql: list = sql) -> Any:
                started = time.perf_counter()
                try:
                    return execute(*args)
                finally:
                    sql[0] += time.perf_counter() - started
                    sql[1] += 1

            started, cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(timed):
                size = _request(application, environ)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            if number >= 3:  # warm-up: templates compiled, caches filled
                samples.append(Sample(wall, cpu, sql[0], int(sql[1]), size))
    return samples


def _print(page: Page, samples: list[Sample]) -> None:
    walls = sorted(s.wall for s in samples)
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    ms = 1_000
    print(
        f"  {page.name:<18} {statistics.median(walls) * ms:>6.1f}ms {p95 * ms:>6.1f}ms"
        f" {walls[0] * ms:>6.1f}ms"
        f" {statistics.median(s.cpu for s in samples) * ms:>6.1f}ms"
        f" {statistics.median(s.sql for s in samples) * ms:>6.1f}ms"
        f" {samples[-1].queries:>8} {samples[-1].size:>9,}"
    )


def _profile(page: Page, session: str, requests: int) -> None:
    import cProfile
    import pstats

    application, environ = _application(), _environ(page, session)
    with _patched(page):
        for _ in range(3):
            _request(application, environ)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            _request(application, environ)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def _application() -> Callable:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _environ(page: Page, session: str) -> dict[str, Any]:
    from urllib.parse import urlencode

    from django.conf import settings
    from django.urls import reverse

    htmx = {"HTTP_HX_REQUEST": "true"} if page.htmx else {}
    return {
        **htmx,
        "REQUEST_METHOD": "GET",
        "PATH_INFO": reverse(page.url_name),
        "QUERY_STRING": urlencode(page.query),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def _request(application: Callable, environ: dict[str, Any]) -> int:
    """One request, read to the end and closed as a WSGI server does; the page's size."""
    status: list[str] = []
    response = application(
        {**environ, "wsgi.input": io.BytesIO(b"")},
        lambda code, headers, exc_info=None: status.append(code),
    )
    try:
        size = sum(len(chunk) for chunk in response)
    finally:
        response.close()  # request_finished: the connection is closed as after any request
    if not status[0].startswith("200"):
        sys.exit(f"{environ['PATH_INFO']}?{environ['QUERY_STRING']} answered {status[0]}")
    return size


@contextmanager
def _patched(page: Page) -> Iterator[None]:
    if page.patch is None:
        with nullcontext():
            yield
        return
    import importlib

    module_name, name, value = page.patch
    module = importlib.import_module(module_name)
    before = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, before)


if __name__ == "__main__":
    main()
