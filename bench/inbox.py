"""Inbox and contacts server times at volume: every built-in view of the list, a saved
view with three filters, the conversation page, a reply, and the contact pages.

    .venv/bin/python bench/inbox.py [--mentions 1000000] [--workspaces 20] [--requests 20]
                                    [--data DIR] [--reuse] [--only WORDS]

Loads ``--mentions`` mentions in a fifth as many conversations across ``--workspaces``
workspaces (rows straight into the tables, COPY on PostgreSQL: authors, conversations in
every state with priorities, due times, intents and sentiments, then five messages a
conversation), gives every author a contact through the queue's sweep
(``link_new_authors``, timed), marks a tenth of the contacts as customers with segments,
then requests each page ``--requests`` times after two unmeasured warm-ups through
Django's test client (every middleware, a signed-in responder of the first workspace) and
prints the median and p95 server time, the queries a page, the SQL time (the queries'
sum as the client saw it) and the CPU time of the server's work (this process's, with
SQLite's engine in it, plus its PostgreSQL backend's when that runs on this machine): on
a machine shared with other work, the wall time alone says little. ``BENCH_SLOWEST=1``
also prints each page's slowest query. The reply is a responder's that names a listed
word, so it is held for a manager: the whole reply path but the network call (that is
the network's time).

Database: SQLite in a temporary folder by default (``--data DIR`` keeps it), or
``DATABASE_URL`` (PostgreSQL: best a database of its own, e.g. bench_inbox).
The data are generated (random, fixed seed), not real: the point is the volume.
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
NETWORKS = ["mastodon", "bluesky", "x", "reddit"]
INTENTS = ["question", "complaint", "praise", "purchase_intent", "other", ""]
SENTIMENTS = ["negative", "neutral", "positive", "neutral"]
STATUSES = ["new", "new", "open", "waiting", "resolved", "resolved", "resolved"]
EACH = 5  # mentions a conversation
TEXTS = [
    "Where is my order? It was due on Friday.",
    "The clasp on my bracelet broke after a week, not happy.",
    "Love the ring, thank you so much!",
    "Do you resize rings in store, and how long does it take?",
    "How much is the gold chain in your window?",
]


def main() -> None:
    args = _arguments()
    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="bench-inbox-"))
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
    print(
        f"bench/inbox.py: {args.mentions:,} mentions, {args.mentions // EACH:,} conversations, "
        f"{args.workspaces} workspaces, {args.requests} requests a page"
    )
    print(f"  database: {connection.vendor} ({connection.settings_dict['NAME']})")
    workspace, responder = _load(args.mentions, args.workspaces, reuse=args.reuse)
    print(f"  {'page':<34} {'median':>8} {'p95':>8} {'queries':>8} {'sql':>8} {'cpu':>8}")
    for name, url in _pages(workspace):
        if args.only in name:
            _time(name, url, responder, args.requests)
    if args.only in "reply":
        _time_reply(workspace, responder, args.requests)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--data", help="keep the SQLite database in this folder")
    parser.add_argument("--reuse", action="store_true", help="keep workspaces loaded before")
    parser.add_argument("--only", default="", help="time only the pages whose name has this")
    return parser.parse_args()


def _pages(workspace: Any) -> list[tuple[str, str]]:
    from harken.contacts.models import Contact
    from harken.inbox.models import Conversation, SavedView
    from harken.inbox.saved_views import url_of
    from harken.inbox.views import VIEWS

    pages = [(f"list: {v.label}", f"/inbox/?view={v.key}") for v in VIEWS]
    saved = SavedView.objects.filter(workspace=workspace).first()
    if saved is not None:
        pages.append((f"list: saved ({len(saved.filters) - 1} filters)", url_of(saved)))
    talk = (
        Conversation.objects.filter(workspace=workspace, status="open")
        .order_by("-priority", "id")
        .first()
    )
    assert talk is not None
    pages.append(("conversation page", f"/inbox/{talk.pk}/"))
    customer = Contact.objects.filter(workspace=workspace, status="customer").first()
    assert customer is not None
    pages += [
        ("contact page", f"/contacts/{customer.pk}/"),
        ("contacts: advocates", "/contacts/advocates/"),
        ("contacts: detractors", "/contacts/detractors/"),
        ("contacts: recovered", "/contacts/recovered/"),
        ("contacts: merge suggestions", "/contacts/suggestions/"),
    ]
    return pages


def _load(count: int, workspaces: int, reuse: bool = False) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from harken.contacts.linking import link_new_authors
    from harken.core.models import Member, Role, Workspace

    slug = f"bench-inbox-{count}-0"
    responder, _ = get_user_model().objects.get_or_create(username="bench-inbox-responder")
    found = Workspace.objects.filter(slug=slug).first()
    if reuse and found is not None:
        return found, responder
    Workspace.objects.filter(slug__startswith=f"bench-inbox-{count}-").delete()
    rng, now = random.Random(17), timezone.now()
    started = time.perf_counter()
    first = None
    for n in range(workspaces):
        workspace = Workspace.objects.create(name=f"Bench {n}", slug=f"bench-inbox-{count}-{n}")
        _workspace(workspace, count // workspaces, rng, now)
        first = first or workspace
    assert first is not None
    Member.objects.create(workspace=first, user=responder, role=Role.RESPONDER)
    _saved_view(first, responder)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    linked = link_new_authors()
    linking = time.perf_counter() - started
    _customers(rng)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load, at once: statistics for the planner
        # and the visibility map that lets a count read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(
        f"  loaded in {loaded:.1f} s; the queue's sweep gave {linked:,} authors a contact "
        f"in {linking:.1f} s"
    )
    return first, responder


def _workspace(workspace: Any, count: int, rng: random.Random, now: Any) -> None:
    from harken.inbox.models import Conversation
    from harken.listening.models import Author, Mention
    from harken.networks.models import Account

    for network in NETWORKS:
        Account.objects.create(workspace=workspace, network=network, handle=f"@bench-{network}")
    authors = _Table(
        Author, ["id", "workspace_id", "network", "external_id", "handle", "name", "followers"]
    )
    by_network: dict[str, list[tuple[int, str, str]]] = {n: [] for n in NETWORKS}
    for n in range(max(50, count // 10)):
        network = NETWORKS[n % len(NETWORKS)]
        pk = authors.add(
            workspace.pk,
            network,
            f"a{n}",
            f"author{n}",
            f"Author {n}",
            int(rng.paretovariate(1.2) * 80),
        )
        by_network[network].append((pk, f"a{n}", f"author{n}"))
    authors.close()
    talks = _Table(
        Conversation,
        [
            "id",
            "workspace_id",
            "network",
            "root_external_id",
            "status",
            "subject_external_id",
            "subject_handle",
            "first_message_at",
            "first_response_at",
            "resolved_at",
            "last_activity",
            "priority",
            "priority_reasons",
            "intent",
            "sentiment",
            "waiting_since",
            "due_at",
        ],
    )
    mentions = _Table(
        Mention,
        [
            "id",
            "workspace_id",
            "network",
            "external_id",
            "author_id",
            "text",
            "posted",
            "sentiment",
            "intents",
            "language",
            "conversation_id",
        ],
        after=talks,
    )
    at, intents = _Table.time, {i: _Table.json([i] if i else []) for i in INTENTS}
    for n in range(count // EACH):
        network = rng.choice(NETWORKS)
        author, external_id, handle = rng.choice(by_network[network])
        began = now - timedelta(seconds=rng.randrange(60 * 86_400))
        status = rng.choice(STATUSES)
        answered = began + timedelta(minutes=rng.expovariate(1 / 60)) if status != "new" else None
        waiting = status in ("new", "open")
        intent = rng.choice(INTENTS)
        talk = talks.add(
            workspace.pk,
            network,
            f"c{n}",
            status,
            external_id,
            handle,
            at(began),
            at(answered),
            at(answered + timedelta(hours=2) if answered and status == "resolved" else None),
            at(answered or began),
            rng.randrange(0, 100),
            "complaint · negative · first message",
            intent,
            rng.choice(SENTIMENTS),
            at(began if waiting else None),
            at(began + timedelta(hours=1) if waiting else None),
        )
        for k in range(EACH):
            mentions.add(
                workspace.pk,
                network,
                f"c{n}-{k}",
                author,
                rng.choice(TEXTS),
                at(began + timedelta(minutes=10 * k)),
                rng.choice(SENTIMENTS),
                intents[intent],
                "en",
                talk,
            )
    talks.close()
    mentions.close()


class _Table:
    """Rows straight into one model's table, in batches: ``executemany`` on SQLite, COPY on
    PostgreSQL, the ids given here (read once, then counted on: the bench loads alone).
    A million mentions through ``bulk_create`` spent most of their time building model
    instances and SQL; here a row is a tuple. The fields not given take the model's
    defaults (a field added later keeps working)."""

    BATCH = 20_000

    def __init__(self, model: Any, given: list[str], after: _Table | None = None) -> None:
        from django.db import connection
        from django.db.models import Max

        self.model, self.after = model, after
        self.rows: list[tuple[Any, ...]] = []
        fields = list(model._meta.concrete_fields)
        template = model()
        # Each column: (True, its index in a row added) or (False, the default's value).
        self.plan: list[tuple[bool, Any]] = []
        for f in fields:
            if f.attname in given:
                self.plan.append((True, given.index(f.attname)))
            else:
                value = f.pre_save(template, True)  # auto_now_add: now
                self.plan.append((False, f.get_db_prep_save(value, connection)))
        self.columns = [connection.ops.quote_name(f.column) for f in fields]
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        assert given[0] == "id"

    @staticmethod
    def time(value: Any) -> Any:
        from django.db import connection

        return None if value is None else connection.ops.adapt_datetimefield_value(value)

    @staticmethod
    def json(value: Any) -> Any:
        import json

        return json.dumps(value)

    def add(self, *values: Any) -> int:
        """Queue one row (its values but the id, in the order given); returns its id."""
        pk = self.next_id
        self.next_id += 1
        row = (pk, *values)
        self.rows.append(tuple(row[v] if given else v for given, v in self.plan))
        if len(self.rows) >= self.BATCH:
            self._flush()
        return pk

    def _flush(self) -> None:
        from django.db import connection

        if self.after is not None:  # the rows these point at first
            self.after._flush()
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", self.rows)
        self.rows = []

    def close(self) -> None:
        """Write what is queued; on PostgreSQL move the id sequence past the ids given."""
        from django.core.management.color import no_style
        from django.db import connection

        self._flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


def _saved_view(workspace: Any, owner: Any) -> None:
    from harken.inbox.models import SavedView

    SavedView.objects.create(
        workspace=workspace,
        owner=owner,
        name="Negative complaints on Mastodon",
        filters={
            "view": "needs_reply",
            "network": "mastodon",
            "intent": "complaint",
            "sentiment": "negative",
        },
    )


def _customers(rng: random.Random) -> None:
    """A tenth of the contacts are customers with a plan and a region."""
    from harken.contacts.models import Contact

    ids = list(
        Contact.objects.filter(workspace__slug__startswith="bench-inbox-").values_list(
            "pk", flat=True
        )
    )
    chosen = [pk for pk in ids if rng.random() < 0.1]
    for start in range(0, len(chosen), 2_000):
        Contact.objects.filter(pk__in=chosen[start : start + 2_000]).update(
            status="customer", segments={"plan": "gold", "region": "north"}
        )


def _time(name: str, url: str, user: Any, requests: int) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)

    def call() -> Any:
        return client.get(url)

    _report(name, call, requests)


def _time_reply(workspace: Any, user: Any, requests: int) -> None:
    """A held reply on a new open conversation each time (a reply is written once)."""
    from django.test import Client

    from harken.inbox.models import Conversation

    client = Client()
    client.force_login(user)
    talks = iter(
        Conversation.objects.filter(workspace=workspace, status__in=["new", "open"])
        .order_by("-priority", "id")
        .values_list("pk", flat=True)[: requests + 2]
    )

    def call() -> Any:
        pk = next(talks)
        text = "So sorry, we will refund the clasp."
        response = client.post(f"/inbox/{pk}/reply/", {"text": text, "token": f"bench{pk}"})
        assert response.status_code == 302, response.status_code
        return response

    _report("reply (held for approval)", call, requests, status=302)


def _report(name: str, call: Any, requests: int, status: int = 200) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, sqls, cpus, queries = [], [], [], 0
    slowest: dict[str, float] = {}
    backend = _backend()
    for number in range(requests + 2):
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time() + _cpu_of(backend)
            response = call()
            wall = time.perf_counter() - started
            cpu = time.process_time() + _cpu_of(backend) - cpu
        assert response.status_code == status, (name, response.status_code)
        if number >= 2:
            walls.append(wall)
            cpus.append(cpu)
            sqls.append(sum(float(q["time"]) for q in captured.captured_queries))
            queries = len(captured.captured_queries)
            for q in captured.captured_queries:
                slowest[q["sql"]] = max(slowest.get(q["sql"], 0.0), float(q["time"]))
    walls.sort()
    median = statistics.median(walls) * 1000
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))] * 1000
    # The SQL column is the database's time as the client saw it (the queries' sum); the
    # CPU column the server's work whatever else runs on the machine: this process's
    # (Python, and SQLite's engine, which runs in it) and its PostgreSQL backend's.
    sql, cpu = statistics.median(sqls) * 1000, statistics.median(cpus) * 1000
    print(f"  {name:<34} {median:>6.1f}ms {p95:>6.1f}ms {queries:>8} {sql:>6.1f}ms {cpu:>6.1f}ms")
    if os.environ.get("BENCH_SLOWEST"):
        top = max(slowest.items(), key=lambda kv: kv[1])
        print(f"      slowest query {top[1] * 1000:.1f} ms: {top[0][:600]}")


def _backend() -> int | None:
    """The PostgreSQL backend's process id, when it runs on this machine (its CPU time
    is read from /proc); None on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def _cpu_of(pid: int | None) -> float:
    """User and system CPU seconds of process ``pid`` (0 without one)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
