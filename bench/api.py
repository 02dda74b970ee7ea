"""Requests/s and p95 of the JSON API listing 100 mentions with the stream's filters.

    .venv/bin/python bench/api.py [--mentions 100000] [--requests 200] [--data DIR] [--fresh]

Loads ``--mentions`` mentions into one workspace (bulk inserts: a year of mentions on four
networks from 2,000 authors, a third negative, a fifth questions, words drawn from a
fixed vocabulary), makes an owner's token, then asks ``GET /api/v1/mentions?limit=100``
with each set of filters ``--requests`` times (after three unmeasured warm-up requests)
through Django's WSGI handler, as waitress calls it: production settings, every
middleware, bearer-token authentication, the rate limiter's and the last-use writes, and
the request's database connection opened and closed as in a real request. Each request
of a set asks for the next page of the last (keyset ``before``), so the set walks
``--requests`` pages deep. Printed per set: requests/s of one client in a row, median,
p95, the median CPU time of this process (on SQLite the whole server's; on PostgreSQL the
database works in its own process), and the mentions a page held.

Database: SQLite in a temporary folder by default (``--data DIR`` keeps it in DIR and
reuses the workspace); ``DATABASE_URL`` for PostgreSQL, best a database of its own
(``createdb bench_api``), where the workspace is reused by later runs (``--fresh`` loads
it again).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench-api"
WORDS = [
    "ring",
    "opal",
    "order",
    "delivery",
    "refund",
    "late",
    "store",
    "open",
    "sunday",
    "question",
    "why",
    "how",
    "amazing",
    "service",
    "never",
    "again",
    "love",
    "gift",
    "size",
    "gold",
    "silver",
    "repair",
    "warranty",
    "wedding",
    "price",
    "sale",
    "shipping",
    "tracking",
    "broken",
    "thanks",
    "help",
    "please",
    "wrong",
    "return",
    "exchange",
]
#: The filter sets timed; each lists 100 mentions a page.
SETS = [
    ("newest", {}),
    ("negative", {"sentiment": "negative"}),
    ("network + intent", {"network": "mastodon", "intent": "question"}),
    ("search", {"q": "refund"}),
    ("topic + since", {"topic": "TOPIC", "since": "SINCE"}),
]


def main() -> None:
    args = _arguments()
    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bench-api-"))
    data.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HARKEN_DATA_DIR", str(data))
    os.environ["HARKEN_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("HARKEN_DEBUG", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "harken.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    settings.HARKEN_API_RATE_PER_MINUTE = 10**9  # the limiter still counts every request
    print(f"bench/api.py: {args.mentions:,} mentions, {args.requests} requests a set")
    print(f"  machine: {_machine()}")
    print(f"  database: {_database_label(connection)}")
    secret, topic, since = _workspace(args.mentions, fresh=args.fresh)
    held = _hold_sqlite(connection)  # noqa: F841 - kept open until the end
    print(f"  {'filters':<18} {'req/s':>7} {'median':>8} {'p95':>8} {'CPU':>8} {'per page':>9}")
    for name, params in SETS:
        chosen = {k: {"TOPIC": topic, "SINCE": since}.get(v, v) for k, v in params.items()}
        walls, cpus, sizes = _time(secret, chosen, args.requests)
        _print(name, walls, cpus, sizes)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data", help="keep the SQLite database in this folder")
    parser.add_argument("--fresh", action="store_true", help="load the mentions again")
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


# Loading -------------------------------------------------------------------------------


def _workspace(count: int, *, fresh: bool) -> tuple[str, str, str]:
    """The bench workspace with ``count`` mentions; a new owner's token, a topic's id and
    a day a month back."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from harken.api.models import ALL_SCOPES
    from harken.api.tokens import do_create_token
    from harken.core.actions import do_create_workspace
    from harken.core.models import Member, Workspace
    from harken.listening.models import Mention, Topic

    workspace = Workspace.objects.filter(slug=SLUG).first()
    if workspace is not None and (
        fresh or not Mention.objects.filter(workspace=workspace).exists()
    ):
        workspace.delete()
        workspace = None
    if workspace is None:
        user, _ = get_user_model().objects.get_or_create(username="bench-api-owner")
        workspace = do_create_workspace(user, "Bench API")
        workspace.slug = SLUG
        workspace.save(update_fields=["slug"])
        started = time.perf_counter()
        _load(workspace, count)
        print(f"  loaded {count:,} mentions in {time.perf_counter() - started:.0f} s")
    stored = Mention.objects.filter(workspace=workspace).count()
    print(f"  workspace {SLUG}: {stored:,} mentions")
    member = Member.objects.filter(workspace=workspace).first()
    assert member is not None
    secret = do_create_token(member, "bench", list(ALL_SCOPES)).secret
    topic = Topic.objects.filter(workspace=workspace).order_by("pk").first()
    since = (timezone.now() - timezone.timedelta(days=30)).date().isoformat()
    return secret, str(topic.pk if topic else ""), since


def _load(workspace: Any, count: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from harken.listening.models import Author, Mention, Topic

    rng = random.Random(14)
    networks = ["mastodon", "bluesky", "reddit", "feed"]
    topics = [
        Topic.objects.create(workspace=workspace, name=n, query=n) for n in ("opal", "refund")
    ]
    authors = Author.objects.bulk_create(
        Author(
            workspace=workspace,
            network=networks[i % 4],
            external_id=f"a{i}",
            handle=f"person{i}",
            followers=rng.randint(0, 50_000),
        )
        for i in range(2_000)
    )
    now = timezone.now()
    intents = ["question", "complaint", "praise", "purchase_intent", "other"]
    through = Mention.topics.through
    for start in range(0, count, 5_000):
        batch = []
        for i in range(start, min(count, start + 5_000)):
            author = authors[i % len(authors)]
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))
            batch.append(
                Mention(
                    workspace=workspace,
                    network=author.network,
                    external_id=f"m{i}",
                    author=author,
                    text=text,
                    posted=now - timezone.timedelta(seconds=rng.randint(0, 365 * 86_400)),
                    sentiment=["negative", "neutral", "positive"][i % 3],
                    intents=[intents[i % 5]],
                    language="en",
                )
            )
        with transaction.atomic():
            made = Mention.objects.bulk_create(batch)
            links = [
                through(
                    mention_id=m.pk, topic_id=topics[0].pk if "opal" in m.text else topics[1].pk
                )
                for m in made
                if "opal" in m.text or "refund" in m.text
            ]
            through.objects.bulk_create(links)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics for the planner
        cursor.execute("ANALYZE")


def _hold_sqlite(connection: Any) -> Any:
    """A second connection to the SQLite file while timing, as ``harken serve``'s queue
    consumer holds one (see bench/pages.py)."""
    if connection.vendor != "sqlite":
        return None
    import sqlite3

    held = sqlite3.connect(connection.settings_dict["NAME"])
    held.execute("SELECT count(*) FROM django_migrations").fetchone()
    return held


# Timing --------------------------------------------------------------------------------


def _time(
    secret: str, params: dict[str, str], requests: int
) -> tuple[list[float], list[float], list[int]]:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    walls, cpus, sizes, before = [], [], [], None
    for number in range(requests + 3):
        query = {**params, "limit": "100", **({"before": str(before)} if before else {})}
        started, cpu = time.perf_counter(), time.process_time()
        status, body = _request(application, secret, query)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if status != 200:
            sys.exit(f"{status} for {query}: {body[:300]!r}")
        page = json.loads(body)
        before = page["next_before"]  # walk on; back to the top at the end
        if number >= 3:
            walls.append(wall)
            cpus.append(cpu)
            sizes.append(len(page["items"]))
    return walls, cpus, sizes


def _request(application: Callable, secret: str, query: dict[str, str]) -> tuple[int, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/mentions",
        "QUERY_STRING": urlencode(query),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_AUTHORIZATION": f"Bearer {secret}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status: list[int] = []

    def start_response(line: str, headers: list, exc_info: Any = None) -> None:
        status.append(int(line.split()[0]))

    result = application(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return status[0], body


def _print(name: str, walls: list[float], cpus: list[float], sizes: list[int]) -> None:
    ordered = sorted(walls)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    ms = 1_000
    print(
        f"  {name:<18} {len(walls) / sum(walls):>7.1f} {statistics.median(walls) * ms:>6.1f}ms"
        f" {p95 * ms:>6.1f}ms {statistics.median(cpus) * ms:>6.1f}ms"
        f" {statistics.median(sizes):>9.0f}"
    )


if __name__ == "__main__":
    main()
