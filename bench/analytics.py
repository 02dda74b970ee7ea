"""Analytics server times: the dashboard and each page over a 90-day range.

    .venv/bin/python bench/analytics.py [--mentions 100000] [--requests 20] [--data DIR]

Loads ``--mentions`` mentions spread over the last 120 days into one workspace (with
bulk_create: authors, three topics, sentiments, intents, languages, key phrases), a fifth
as many conversations with first-response and resolution times, 5,000 published posts on
two accounts with their likes, comments and shares (``PostMetric``), 20,000 tracked-link
clicks and a year of daily follower snapshots; rolls everything up (the back-fill an
import triggers, timed), then requests each page ``--requests`` times after two
unmeasured warm-ups through Django's test client (every middleware, a signed-in owner)
and prints the median and p95 server time, the CPU time, and the queries per page, with
the machine's load average before and after (the figures are only as good as the
machine was quiet). ``--reuse`` keeps a workspace loaded before (adding the posts'
counts and the clicks when it lacks them).

Database: SQLite in a temporary folder by default (``--data DIR`` keeps it), or
``DATABASE_URL`` (PostgreSQL: best a database of its own, e.g. bench_analytics).
The data are generated (random, fixed seed), not real: the point is the volume.

``--sql`` (PostgreSQL only) has the server generate the mentions, their authors and
topics, and the conversations (``INSERT … SELECT … FROM generate_series``, a million rows
a statement) instead of building them in Python: the way to load 10,000,000 mentions
(``--mentions 10000000 --sql``). The back-fill prints its progress every 10 days.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAYS = 120
PAGES = [
    ("dashboard", "/analytics/"),
    ("listening", "/analytics/listening/"),
    ("relationship", "/analytics/relationship/"),
    ("audience", "/analytics/audience/"),
    ("typical customer", "/analytics/typical-customer/"),
]
PHRASES = [
    "late order",
    "engagement ring",
    "watch repair",
    "gift wrap",
    "#holidaygifts",
    "engraving",
    "lab-grown diamonds",
    "ring resize",
    "free cleaning",
    "gold hoops",
    "customer service",
    "refund",
    "store hours",
    "parking",
    "vintage setting",
    "silver bracelet",
]
INTENTS = ["question", "complaint", "praise", "purchase_intent", "other"]


def main() -> None:
    args = _arguments()
    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    data.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("HARKEN_DATA_DIR", str(data))
    os.environ["HARKEN_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("HARKEN_DEBUG", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "harken.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"bench/analytics.py: {args.mentions:,} mentions, {args.requests} requests a page")
    print(f"  database: {connection.vendor} ({connection.settings_dict['NAME']})")
    if args.sql and connection.vendor != "postgresql":
        sys.exit("--sql generates the rows with PostgreSQL's generate_series")
    workspace, owner = _load(args.mentions, reuse=args.reuse, sql=args.sql)
    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum keeps them on a running server (it may be
        # off where the bench runs): without them it guesses one row a rollup read and
        # sorts 36,000 author rows where a hash would do.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(f"  {'page (90 days)':<22} {'median':>8} {'p95':>8} {'CPU':>8} {'queries':>8}")
    for name, url in PAGES:
        _time(name, url + "?range=90", owner, args.requests)
    _time(
        "dashboard, 1 topic",
        f"/analytics/?range=90&topic={_brand(workspace)}",
        owner,
        args.requests,
    )
    print(f"  load average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--data", help="keep the SQLite database in this folder")
    parser.add_argument("--reuse", action="store_true", help="keep a workspace loaded before")
    parser.add_argument(
        "--sql", action="store_true", help="PostgreSQL: generate the rows in the server"
    )
    return parser.parse_args()


def _brand(workspace: Any) -> int:
    from harken.listening.models import Topic

    return Topic.objects.get(workspace=workspace, kind="brand").pk


def _load(count: int, reuse: bool = False, sql: bool = False) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from harken.analytics.rollups import roll_all
    from harken.core.models import Member, Role, Workspace

    slug = f"bench-analytics-{count}"
    owner, _ = get_user_model().objects.get_or_create(username="bench-analytics-owner")
    found = Workspace.objects.filter(slug=slug).first()
    if reuse and found is not None:
        _complete(found, count)
        return found, owner
    Workspace.objects.filter(slug=slug).delete()
    workspace = Workspace.objects.create(name="Bench", slug=slug, time_zone="America/New_York")
    owner, _ = get_user_model().objects.get_or_create(username="bench-analytics-owner")
    Member.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    rng, now = random.Random(13), timezone.now()
    started = time.perf_counter()
    if sql:
        _sql_mentions(workspace, count)
        _sql_conversations(workspace, count // 5)
    else:
        _mentions(workspace, count, rng, now)
        _conversations(workspace, count // 5, rng, now)
    _posts(workspace, 5_000, rng, now)
    _extras(workspace, rng, now)
    loaded = time.perf_counter() - started
    print(f"  loaded in {loaded:.1f} s", flush=True)
    started = time.perf_counter()
    days = roll_all(workspace, _progress(started) if sql else None)
    print(f"  back-fill of {days} days rolled up in {time.perf_counter() - started:.1f} s")
    return workspace, owner


def _progress(started: float) -> Any:
    def show(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        print(f"  back-fill: {done} of {total} day rollups, {elapsed:.0f} s", flush=True)

    return show


#: Rows a statement generates: a long load shows its progress and commits as it goes.
SQL_BATCH = 1_000_000


def _insert_series(model: Any, count: int, given: dict[str, str], source: str = "") -> None:
    """Insert ``count`` rows of ``model`` generated by the server, a batch a statement:
    ``given`` maps a column to its SQL (over ``g``, the row's number, and the columns of
    ``source``, a subquery over ``generate_series(%(first)s, %(last)s) AS g``); every
    other column gets its field's default, as the ORM would have written it."""
    from django.db import connection, transaction
    from django.db.models.expressions import DatabaseDefault

    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in given:
            columns.append(field.column)
            values.append(given[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            columns.append(field.column)
            values.append("now()")
        elif not isinstance(field.get_default(), DatabaseDefault):
            columns.append(field.column)
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
    source = source or "SELECT g FROM generate_series({first}, {last}) AS g"
    started = time.perf_counter()
    for first in range(1, count + 1, SQL_BATCH):
        last = min(count, first + SQL_BATCH - 1)
        statement = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM ({source.format(first=first, last=last)}) AS s"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            _without_row_triggers(cursor)
            cursor.execute(statement, params)
        print(
            f"    {model.__name__}: {last:,} of {count:,} rows, "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )


def _without_row_triggers(cursor: Any) -> None:
    """Skip the foreign keys' checks for this transaction (a superuser may): they are
    Django's deferred constraints, checked row by row at the commit, which took most of
    a million rows' load. The generated rows point at rows just written, by design."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the load's transaction
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass  # not a superuser: the checks run, the load is slower


def _choice(options: list[str], draw: str) -> str:
    """SQL choosing one of ``options`` by ``draw``, a column holding random() (0 to 1)."""
    return f"(ARRAY[{_quoted(options)}])[1 + floor({draw} * {len(options)})::int]"


def _sql_mentions(workspace: Any, count: int) -> None:
    """``_mentions``' rows, generated by PostgreSQL: the same shapes and shares."""
    from django.db import connection, transaction

    from harken.listening.models import Author, Mention, Topic

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.13)")
    topics = [
        Topic.objects.create(workspace=workspace, name=n, kind=k, query=n).pk
        for n, k in (
            ("Bench Jewelers", "brand"),
            ("Rival Rings", "competitor"),
            ("Gold", "industry"),
        )
    ]
    authors = max(100, count // 20)
    random_columns = ", ".join(f"random() AS r{n}" for n in range(1, 9))
    draws = f"SELECT g, {random_columns} FROM generate_series({{first}}, {{last}}) AS g OFFSET 0"
    _insert_series(
        Author,
        authors,
        {
            "workspace_id": str(int(workspace.pk)),
            "network": _choice(["mastodon", "bluesky", "x"], "r1"),
            "external_id": "'a' || g",
            "handle": "'author' || g",
            # A Pareto draw (shape 1.2) times 80, like random.paretovariate.
            "followers": "LEAST(2000000000, floor(80 / power(1 - r2, 1 / 1.2)))::int",
        },
        draws,
    )
    first_author = Author.objects.filter(workspace=workspace).order_by("pk").first()
    assert first_author is not None
    # generate_series inserts take consecutive ids from the sequence (no one else
    # inserts authors into a bench database): an author is the first id plus a draw.
    _insert_series(
        Mention,
        count,
        {
            "workspace_id": str(int(workspace.pk)),
            "network": _choice(["mastodon", "bluesky", "x", "feed"], "r1"),
            "external_id": "'m' || g",
            "author_id": f"{int(first_author.pk)} + floor(r2 * {authors})::bigint",
            "text": "'generated'",
            "posted": f"now() - r3 * interval '{DAYS} days'",
            "sentiment": _choice(["positive", "positive", "neutral", "negative", ""], "r4"),
            "language": _choice(["en", "en", "en", "es", "fr"], "r5"),
            "intents": f"jsonb_build_array({_choice(INTENTS, 'r6')})",
            # Two different phrases: the second is the first moved on by 1 to 15.
            "key_phrases": (
                f"jsonb_build_array((ARRAY[{_quoted(PHRASES)}])[1 + floor(r7 * 16)::int], "
                f"(ARRAY[{_quoted(PHRASES)}])"
                f"[1 + (floor(r7 * 16)::int + 1 + floor(r8 * 15)::int) %% 16])"
            ),
        },
        draws,
    )
    through = Mention.topics.through._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        _without_row_triggers(cursor)
        cursor.execute(
            f"INSERT INTO {through} (mention_id, topic_id) "
            f"SELECT id, (ARRAY{topics})[1 + floor(random() * 3)::int] "
            "FROM listening_mention WHERE workspace_id = %s AND random() < 0.8",
            [workspace.pk],
        )
        cursor.execute("ANALYZE listening_mention")
        cursor.execute(f"ANALYZE {through}")
    print("    topics linked", flush=True)


def _quoted(options: list[str]) -> str:
    return ", ".join("'" + option.replace("'", "''") + "'" for option in options)


def _sql_conversations(workspace: Any, count: int) -> None:
    """``_conversations``' rows, generated by PostgreSQL: four in five answered after an
    exponential wait (mean 45 minutes), resolved 1 to 47 hours later."""
    from harken.inbox.models import Conversation

    answered = "CASE WHEN r2 < 0.8 THEN began + (-ln(1 - r3) * 45) * interval '1 minute' END"
    _insert_series(
        Conversation,
        count,
        {
            "workspace_id": str(int(workspace.pk)),
            "network": _choice(["mastodon", "bluesky", "x"], "r1"),
            "root_external_id": "'c' || g",
            "first_message_at": "began",
            "first_response_at": answered,
            "resolved_at": f"({answered}) + (1 + floor(r4 * 47)) * interval '1 hour'",
            "last_activity": f"COALESCE({answered}, began)",
            "intent": _choice(INTENTS, "r5"),
        },
        "SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, "
        f"random() AS r5, now() - random() * interval '{DAYS} days' AS began "
        "FROM generate_series({first}, {last}) AS g OFFSET 0",
    )


def _mentions(workspace: Any, count: int, rng: random.Random, now: Any) -> None:
    from harken.listening.models import Author, Mention, Topic

    topics = [
        Topic.objects.create(workspace=workspace, name=n, kind=k, query=n)
        for n, k in (
            ("Bench Jewelers", "brand"),
            ("Rival Rings", "competitor"),
            ("Gold", "industry"),
        )
    ]
    authors = Author.objects.bulk_create(
        Author(
            workspace=workspace,
            network=rng.choice(["mastodon", "bluesky", "x"]),
            external_id=f"a{n}",
            handle=f"author{n}",
            followers=int(rng.paretovariate(1.2) * 80),
        )
        for n in range(max(100, count // 20))
    )
    through = Mention.topics.through
    for start in range(0, count, 10_000):
        batch = [
            Mention(
                workspace=workspace,
                network=rng.choice(["mastodon", "bluesky", "x", "feed"]),
                external_id=f"m{n}",
                author=rng.choice(authors),
                text="generated",
                posted=now - timedelta(seconds=rng.randrange(DAYS * 86_400)),
                sentiment=rng.choice(["positive", "positive", "neutral", "negative", ""]),
                language=rng.choice(["en", "en", "en", "es", "fr"]),
                intents=[rng.choice(INTENTS)],
                key_phrases=rng.sample(PHRASES, 2),
            )
            for n in range(start, min(count, start + 10_000))
        ]
        Mention.objects.bulk_create(batch, batch_size=2_000)
        links = [
            through(mention_id=m.pk, topic_id=rng.choice(topics).pk)
            for m in batch
            if rng.random() < 0.8
        ]
        through.objects.bulk_create(links, batch_size=2_000)


def _conversations(workspace: Any, count: int, rng: random.Random, now: Any) -> None:
    from harken.inbox.models import Conversation

    rows = []
    for n in range(count):
        began = now - timedelta(seconds=rng.randrange(DAYS * 86_400))
        answered = (
            began + timedelta(minutes=rng.expovariate(1 / 45)) if rng.random() < 0.8 else None
        )
        rows.append(
            Conversation(
                workspace=workspace,
                network=rng.choice(["mastodon", "bluesky", "x"]),
                root_external_id=f"c{n}",
                first_message_at=began,
                first_response_at=answered,
                resolved_at=answered + timedelta(hours=rng.randrange(1, 48)) if answered else None,
                last_activity=answered or began,
                intent=rng.choice(INTENTS),
            )
        )
    Conversation.objects.bulk_create(rows, batch_size=2_000)


def _posts(workspace: Any, count: int, rng: random.Random, now: Any) -> None:
    from harken.analytics.models import AccountSnapshot
    from harken.networks.models import Account
    from harken.publishing.models import Category, Post, Variant
    from harken.publishing.states import State

    accounts = [
        Account.objects.create(workspace=workspace, network=n, handle=f"bench-{n}")
        for n in ("mastodon", "bluesky")
    ]
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, category=rng.choice(list(Category.values))) for _ in range(count)
    )
    Variant.objects.bulk_create(
        (
            Variant(
                workspace=workspace,
                post=post,
                account=rng.choice(accounts),
                text="post",
                state=State.PUBLISHED,
                external_id=f"p{n}",
                published_at=now - timedelta(seconds=rng.randrange(365 * 86_400)),
            )
            for n, post in enumerate(posts)
        ),
        batch_size=2_000,
    )
    today = now.date()
    AccountSnapshot.objects.bulk_create(
        AccountSnapshot(
            workspace=workspace, account=a, day=today - timedelta(days=d), followers=5_000 - 3 * d
        )
        for a in accounts
        for d in range(365)
    )


def _complete(workspace: Any, count: int) -> None:
    """Load what a workspace loaded before lacks (a load cut short), and roll it up."""
    from django.utils import timezone

    from harken.analytics.models import Tally
    from harken.analytics.rollups import catch_up, roll_all
    from harken.inbox.models import Conversation
    from harken.publishing.models import Variant

    rng, now = random.Random(14), timezone.now()
    if not Conversation.objects.filter(workspace=workspace).exists():
        _conversations(workspace, count // 5, rng, now)
    if not Variant.objects.filter(workspace=workspace).exists():
        _posts(workspace, 5_000, rng, now)
    _extras(workspace, rng, now)
    if not Tally.objects.filter(workspace=workspace).exists():
        started = time.perf_counter()
        days = roll_all(workspace)
        print(f"  back-fill of {days} days rolled up in {time.perf_counter() - started:.1f} s")
    else:
        # As the queue's next catch-up would: rollups of an older format (an upgrade
        # changed them) are rolled up again whole, else only the last days.
        started = time.perf_counter()
        days = catch_up(workspace)
        print(f"  caught up: {days} day rollups in {time.perf_counter() - started:.1f} s")


def _extras(workspace: Any, rng: random.Random, now: Any) -> None:
    """The posts' counts (one latest row a post) and 20,000 clicks, unless already there."""
    from harken.analytics.models import PostMetric
    from harken.publishing.models import Click, Link, Variant

    if not PostMetric.objects.filter(workspace=workspace).exists():
        variants = Variant.objects.filter(workspace=workspace).values_list(
            "pk", "account_id", "account__network", "published_at"
        )
        PostMetric.objects.bulk_create(
            (
                PostMetric(
                    workspace=workspace,
                    variant_id=pk,
                    account_id=account,
                    network=network,
                    published=at,
                    day=now.date(),
                    likes=rng.randrange(40),
                    comments=rng.randrange(8),
                    shares=rng.randrange(5),
                )
                for pk, account, network, at in variants
            ),
            batch_size=2_000,
        )
    if not Click.objects.filter(workspace=workspace).exists():
        links = [
            Link.objects.create(workspace=workspace, destination=f"https://shop.example/{n}")
            for n in range(20)
        ]
        clicks = []
        for n in range(20_000):
            at = now - timedelta(seconds=rng.randrange(DAYS * 86_400))
            clicks.append(
                Click(
                    workspace=workspace,
                    link=rng.choice(links),
                    at=at,
                    day=at.date(),
                    network=rng.choice(["mastodon", "bluesky"]),
                    ip_hash=f"{n:x}",
                    unique_of_day=True,
                    pledged=rng.random() < 0.02,
                )
            )
        Click.objects.bulk_create(clicks, batch_size=2_000)


def _time(name: str, url: str, owner: Any, requests: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(owner)
    walls, cpus, queries = [], [], 0
    for number in range(requests + 2):
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert response.status_code == 200, (url, response.status_code)
        if number >= 2:
            walls.append(wall)
            cpus.append(cpu)
            queries = len(captured)
    walls.sort()
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))]
    print(
        f"  {name:<22} {statistics.median(walls) * 1000:>6.1f}ms {p95 * 1000:>6.1f}ms"
        f" {statistics.median(cpus) * 1000:>6.1f}ms {queries:>8}"
    )


if __name__ == "__main__":
    main()
