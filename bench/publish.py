"""The publishing engine under load and a crash: lateness, posts made twice, posts never made.

    .venv/bin/python bench/publish.py [--variants 10000] [--spread 60] [--kill-at 0.3]

Schedules ``--variants`` variants due within one minute (evenly over ``--spread`` seconds
from a minute's start), half on Mastodon accounts and half on Bluesky accounts, served by
the local servers of ``tests/publishing/`` (Mastodon's recorded status shape, honouring
``Idempotency-Key``; a Bluesky PDS keeping records by record key). Then it starts two real
queue consumers, ``harken worker``, with the settings a user runs: the SQLite queue in the
data folder, or Redis with ``REDIS_URL``. Their tick is the queue's periodic task
(``publishing.tasks.publish_due``), which Huey schedules per minute and which ticks every
second through that minute with a few publisher threads, so the first due variant waits
for the next minute's run: the variants are due from that minute's start, and the bench
measures what a user gets from the periodic task as it is shipped, not a tick loop made
for it.

When ``--kill-at`` of the variants are published, the worker that is publishing (the
one that used more CPU over the last half second: the queue may hand both of a minute's
periodic runs to one consumer) is killed with SIGKILL, in the middle of its run, and
started again two seconds later; it starts ticking at the next minute. The bench waits
until no variant is scheduled or publishing (a variant the killed worker held is
reconciled with the network after the engine's lease, five minutes), then prints:

- lateness: the time from a variant's due time to its publishing, median, p99 and max;
- published twice: texts the networks hold more than once (must be 0); beside it the
  repeated sends the networks absorbed (a Mastodon POST repeating an Idempotency-Key, a
  Bluesky create under a record key already taken), which are not duplicates;
- never published: variants whose text no network holds (must be 0), and the states the
  database ends with.

Database: SQLite in a temporary folder by default. For PostgreSQL + Redis set both
``DATABASE_URL`` (a database of its own: ``createdb publishbench``, then
postgres://postgres@127.0.0.1:5432/publishbench; the bench's workspace there is replaced
on each run) and ``REDIS_URL`` (redis://127.0.0.1:6379/<db>, a db the bench may flush).

X is not among the networks: its connector has no idempotency key and no way to ask
whether a post went out, so a variant killed mid-publish on X ends failed as "unknown",
by design, for a person to check.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKSPACE = "publish-bench"
ACCOUNTS = 4  # per network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds the due times span")
    parser.add_argument("--kill-at", type=float, default=0.3, help="share published at the kill")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait at most")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="harken-publish-bench-"))
    os.environ.setdefault("HARKEN_DATA_DIR", str(data))
    os.environ["HARKEN_HTTP_ALLOW_LOOPBACK"] = "1"  # the networks are local servers
    os.environ["DJANGO_SETTINGS_MODULE"] = "harken.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if os.environ.get("REDIS_URL"):
        from huey.contrib.djhuey import HUEY

        HUEY.flush()

    from tests.publishing.bluesky_pds import BlueskyPds
    from tests.publishing.mastodon_server import MastodonServer

    with MastodonServer() as mastodon, BlueskyPds() as pds:
        run(args, mastodon, pds)


def run(args: argparse.Namespace, mastodon, pds) -> None:  # noqa: ANN001
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from harken.publishing.engine import LEASE
    from harken.publishing.models import Variant
    from harken.publishing.states import State

    start = time.time()
    first_due = _setup(args, mastodon, pds)
    print(
        f"{args.variants:,} variants due from {first_due:%H:%M:%S} over {args.spread:.0f} s, "
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"queue {'Redis' if settings.REDIS_URL else 'SQLite'}; "
        f"set up in {time.time() - start:.1f} s",
        flush=True,
    )
    connection.close()
    mine = Variant.objects.filter(workspace__slug=WORKSPACE)
    workers = [_worker(), _worker()]
    cpu_spent = 0.0  # seconds of CPU the workers used, the killed one's until its kill
    killed = False
    deadline = time.monotonic() + args.timeout
    try:
        while time.monotonic() < deadline:
            time.sleep(1)
            states = Counter(dict(mine.values_list("state").annotate(n=Count("pk")).order_by()))
            connection.close()
            published = states.get(State.PUBLISHED, 0)
            if not killed and published >= args.kill_at * args.variants:
                busy = _busier(workers)
                cpu_spent += _cpu(workers[busy].pid)
                workers[busy].send_signal(signal.SIGKILL)
                workers[busy].wait()
                held = mine.filter(state=State.PUBLISHING).count()
                print(f"killed a worker (SIGKILL) at {published:,} published; {held} in publishing")
                time.sleep(2)
                workers[busy] = _worker()
                killed = True
            if not states.get(State.SCHEDULED) and not states.get(State.PUBLISHING):
                break
            if int(time.monotonic()) % 30 == 0:
                print(f"  {dict(states)}", flush=True)
    finally:
        for worker in workers:
            cpu_spent += _cpu(worker.pid)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    _report(args, mastodon, pds, killed, LEASE, first_due, cpu_spent)


def _setup(args: argparse.Namespace, mastodon, pds) -> datetime:  # noqa: ANN001
    from harken.core.models import Workspace
    from harken.networks.models import Account
    from harken.publishing.models import Guidelines, Post, Variant
    from harken.publishing.states import State
    from tests.publishing.bluesky_pds import HANDLE
    from tests.publishing.conftest import mastodon_config

    Workspace.objects.filter(slug=WORKSPACE).delete()
    workspace = Workspace.objects.create(name="Publishing bench", slug=WORKSPACE)
    # A burst on one account at one time is what the bench is for: the guidelines about
    # gaps, daily caps and repeats would hold most of it back.
    Guidelines.objects.create(
        workspace=workspace, rules={"min_gap_minutes": 0, "daily_cap": 0, "duplicate_days": 0}
    )
    accounts = [
        Account.objects.create(
            workspace=workspace,
            network="mastodon",
            handle=f"@harbor{n}@127.0.0.1",
            config=mastodon_config(mastodon.base),
        )
        for n in range(ACCOUNTS)
    ] + [
        Account.objects.create(
            workspace=workspace,
            network="bluesky",
            handle=f"{n}.{HANDLE}",
            config={"handle": HANDLE, "app_password": "xxxx-xxxx-xxxx-xxxx", "service": pds.url},
        )
        for n in range(ACCOUNTS)
    ]
    # Due from the start of a minute far enough ahead for the set-up and the workers to
    # start, so that the periodic task's run at that minute finds the first ones due.
    ahead = datetime.now(UTC) + timedelta(seconds=20 + args.variants / 500)
    first_due = ahead.replace(second=0, microsecond=0) + timedelta(minutes=1)
    posts = Post.objects.bulk_create(
        Post(workspace=workspace, persona="Gift buyers") for _ in range(args.variants)
    )
    step = args.spread / args.variants
    Variant.objects.bulk_create(
        (
            Variant(
                workspace=workspace,
                post=post,
                account=accounts[n % len(accounts)],
                text=f"Winter window {n}: the garnet rings are in.",
                state=State.SCHEDULED,
                scheduled_at=first_due + timedelta(seconds=n * step),
            )
            for n, post in enumerate(posts)
        ),
        batch_size=1000,
    )
    return first_due


def _busier(workers: list[subprocess.Popen]) -> int:
    """The worker that used more CPU over half a second: the one publishing (the queue
    may have handed both periodic runs of the minute to one consumer)."""

    before = [_cpu(w.pid) for w in workers]
    time.sleep(0.5)
    used = [_cpu(w.pid) - b for w, b in zip(workers, before, strict=True)]
    return used.index(max(used))


def _cpu(pid: int) -> float:
    """Seconds of CPU (user + system) process ``pid`` has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker() -> subprocess.Popen:
    harken = Path(sys.executable).with_name("harken")
    command = [str(harken)] if harken.exists() else [sys.executable, "-m", "harken.cli"]
    return subprocess.Popen([*command, "worker"], cwd=ROOT, env=os.environ.copy())


def _report(  # noqa: PLR0913
    args,
    mastodon,
    pds,
    killed: bool,
    lease: timedelta,
    first_due: datetime,
    cpu: float,  # noqa: ANN001
) -> None:
    from django.db.models import Count

    from harken.publishing.models import Variant
    from harken.publishing.states import State

    variants = Variant.objects.filter(workspace__slug=WORKSPACE)
    states = dict(variants.values_list("state").annotate(n=Count("pk")).order_by())
    times = list(variants.filter(state=State.PUBLISHED).values_list("scheduled_at", "published_at"))
    late = sorted((published - due).total_seconds() for due, published in times)
    # Before the lease: the variants a killed worker held wait for it, not for throughput.
    lasted = max(
        ((p - first_due).total_seconds() for _, p in times if p - first_due < lease),
        default=float("nan"),
    )
    texts = set(variants.values_list("text", flat=True))
    held = Counter(_plain(s["content"]) for s in mastodon.statuses)
    held.update(r["value"]["text"] for r in pds.records.values())
    twice = sum(1 for text, n in held.items() if n > 1)
    never = sum(1 for text in texts if held[text] == 0)
    resent = sum(n - 1 for n in Counter(p["key"] for p in mastodon.posts).values() if n > 1)
    creates = Counter(c.get("rkey") for c in pds.creates)
    resent += sum(n - 1 for n in creates.values() if n > 1)
    after_lease = sum(1 for s in late if s >= lease.total_seconds())

    def quantile(q: float) -> float:
        return late[min(len(late) - 1, int(q * len(late)))] if late else float("nan")

    print()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"states: {states}; killed a worker: {'yes' if killed else 'no'}")
    print(
        f"lateness: median {statistics.median(late) if late else float('nan'):.2f} s, "
        f"p99 {quantile(0.99):.2f} s, max {late[-1] if late else float('nan'):.1f} s "
        f"({after_lease} settled after the {lease.total_seconds():.0f} s lease)"
    )
    print(
        f"throughput: {len(times) / lasted:.1f} variants/s from the first due time; "
        f"worker CPU {cpu:.1f} s ({1000 * cpu / max(len(times), 1):.1f} ms a variant)"
    )
    print(f"published twice: {twice} (repeated sends the networks absorbed: {resent})")
    print(f"never published: {never}")
    ok = twice == 0 and never == 0 and quantile(0.99) <= 5
    print("goal (p99 ≤ 5 s, no duplicates, no misses):", "met" if ok else "NOT met")


def _plain(content: str) -> str:
    import html

    return html.unescape(content.removeprefix("<p>").removesuffix("</p>"))


if __name__ == "__main__":
    main()
