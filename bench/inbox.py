"""Inbox and contacts server times at volume: every built-in view of the list, a saved
view with three filters, the conversation page, a reply, and the contact pages.

    .venv/bin/python bench/inbox.py [--mentions 1000000] [--workspaces 20] [--requests 20]
                                    [--data DIR] [--reuse]

Loads ``--mentions`` mentions in a fifth as many conversations across ``--workspaces``
workspaces (bulk_create: authors, conversations in every state with priorities, due
times, intents and sentiments, then five messages a conversation), gives every author a
contact through the queue's sweep (``link_new_authors``, timed), marks a tenth of the
contacts as customers with segments, then requests each page ``--requests`` times after
two unmeasured warm-ups through Django's test client (every middleware, a signed-in
responder of the first workspace) and prints the median and p95 server time and the
queries per page. The reply is a responder's that names a listed word, so it is held for
a manager: the whole reply path but the network call (that is the network's time).

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
    print(f"  {'page':<34} {'median':>8} {'p95':>8} {'queries':>8}")
    for name, url in _pages(workspace):
        _time(name, url, responder, args.requests)
    _time_reply(workspace, responder, args.requests)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--data", help="keep the SQLite database in this folder")
    parser.add_argument("--reuse", action="store_true", help="keep workspaces loaded before")
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
    print(
        f"  loaded in {loaded:.1f} s; the queue's sweep gave {linked:,} authors a contact "
        f"in {linking:.1f} s"
    )
    return first, responder


def _workspace(workspace: Any, count: int, rng: random.Random, now: Any) -> None:
    from harken.listening.models import Author
    from harken.networks.models import Account

    for network in NETWORKS:
        Account.objects.create(workspace=workspace, network=network, handle=f"@bench-{network}")
    authors = Author.objects.bulk_create(
        (
            Author(
                workspace=workspace,
                network=NETWORKS[n % len(NETWORKS)],
                external_id=f"a{n}",
                handle=f"author{n}",
                name=f"Author {n}",
                followers=int(rng.paretovariate(1.2) * 80),
            )
            for n in range(max(50, count // 10))
        ),
        batch_size=5_000,
    )
    by_network: dict[str, list[Any]] = {n: [] for n in NETWORKS}
    for a in authors:
        by_network[a.network].append(a)
    for start in range(0, count // EACH, 5_000):
        _batch(workspace, range(start, min(count // EACH, start + 5_000)), by_network, rng, now)


def _batch(workspace: Any, numbers: range, by_network: dict, rng: random.Random, now: Any) -> None:
    from harken.inbox.models import Conversation
    from harken.listening.models import Mention

    talks, subjects = [], []
    for n in numbers:
        network = rng.choice(NETWORKS)
        subject = rng.choice(by_network[network])
        began = now - timedelta(seconds=rng.randrange(60 * 86_400))
        status = rng.choice(STATUSES)
        answered = began + timedelta(minutes=rng.expovariate(1 / 60)) if status != "new" else None
        talks.append(
            Conversation(
                workspace=workspace,
                network=network,
                root_external_id=f"c{n}",
                status=status,
                subject_external_id=subject.external_id,
                subject_handle=subject.handle,
                first_message_at=began,
                first_response_at=answered,
                resolved_at=answered + timedelta(hours=2) if status == "resolved" else None,
                last_activity=answered or began,
                priority=rng.randrange(0, 100),
                priority_reasons="complaint · negative · first message",
                intent=rng.choice(INTENTS),
                sentiment=rng.choice(SENTIMENTS),
                waiting_since=began if status in ("new", "open") else None,
                due_at=began + timedelta(hours=1) if status in ("new", "open") else None,
            )
        )
        subjects.append(subject)
    Conversation.objects.bulk_create(talks, batch_size=2_000)
    mentions = []
    for talk, subject in zip(talks, subjects, strict=True):
        for k in range(EACH):
            mentions.append(
                Mention(
                    workspace=workspace,
                    network=talk.network,
                    external_id=f"{talk.root_external_id}-{k}",
                    author=subject,
                    text=rng.choice(TEXTS),
                    posted=talk.first_message_at + timedelta(minutes=10 * k),
                    sentiment=rng.choice(SENTIMENTS),
                    intents=[talk.intent] if talk.intent else [],
                    language="en",
                    conversation=talk,
                )
            )
    Mention.objects.bulk_create(mentions, batch_size=2_000)


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

    walls, queries = [], 0
    for number in range(requests + 2):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            wall = time.perf_counter() - started
        assert response.status_code == status, (name, response.status_code)
        if number >= 2:
            walls.append(wall)
            queries = len(captured.captured_queries)
    walls.sort()
    median = statistics.median(walls) * 1000
    p95 = walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))] * 1000
    print(f"  {name:<34} {median:>6.1f}ms {p95:>6.1f}ms {queries:>8}")


if __name__ == "__main__":
    main()
