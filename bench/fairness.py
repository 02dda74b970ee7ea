"""Fair to the quiet customer: who waits how long under three queue orders.

    .venv/bin/python bench/fairness.py [--data DIR] [--seed 7]

A discrete-event simulation of a team that answers N conversations an hour (one every
3600/N seconds, one conversation at a time, always the first in its queue order) at 70 %,
90 % and 110 % load, where load = the day's messages / (24 × N). Two days are replayed:

* **recorded**: the customer messages of ``../shared/data/customer-support-twitter/``
  (2,778 inbound tweets) at their real time of day, with their real authors; intents and
  sentiment come from Harken's ``analyze()`` of the real texts. The day is bursty (the
  file is a slice of threads started on the evening of 31 October 2017).
* **synthetic**: 1,200 messages over a day with a daytime peak, where 5 % of the authors
  send 50 % of the messages in bursts, mostly complaints (the loud angry few); the quiet
  authors' intents and sentiment are drawn from the recorded day's.

Each customer message is one conversation. Three orders:

* **fifo**: the oldest first;
* **priority**: the inbox's score without the fairness term (every message counted as the
  author's first);
* **harken**: the inbox's own score (``harken.inbox.priority._score``, which calls
  ``harken.analysis.priority.priority`` with the author's messages of the last day), set when
  a message arrives and recomputed every 10 minutes as the queue task does, ordered as the
  inbox orders (``-priority, id``: at a tie the oldest first).

The day is replayed three times in a row with fresh authors each time, so the middle day
starts with a real backlog and has a full day after it; its conversations are measured.
Authors are first-time (1 message that day), occasional (2-3) or prolific (4 or more).
Printed per order, load and kind of author: median and p90 wait (from the message to our
answer), the share answered within an hour, the longest wait, and how many starved
(unanswered 24 hours after they were written). Then the goals, pass or fail:
first-time authors' p90 no worse than under FIFO, and at most half the prolific authors'
p90 at 90 % and 110 % load; nobody starves at 70 % and 90 % load. Followers are unknown in
the recorded data and left out everywhere (reach adds nothing), as is customer status.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import heapq
import math
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "customer-support-twitter" / "twcs_first5000.csv"
DAY = 86_400.0
TICK = 600.0  # the queue task recomputes priorities every 10 minutes
LOADS = (0.7, 0.9, 1.1)
ORDERS = ("fifo", "priority", "harken")
KINDS = ("first-time", "occasional", "prolific")
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)

Score = Callable[[list, dict, dict, datetime], list]


@dataclass(frozen=True)
class Message:
    at: float  # seconds since the start of the day
    author: str
    intents: tuple[str, ...]
    sentiment: str


@dataclass
class Outcome:
    """Waits (seconds) of the measured day, per kind of author; None = never answered."""

    waits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unanswered: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    starved: Counter = field(default_factory=Counter)


def kind_of(count: int) -> str:
    return "first-time" if count <= 1 else "occasional" if count <= 3 else "prolific"


# Days -------------------------------------------------------------------------------------


def recorded_day(path: Path = DATA) -> list[Message]:
    """The recorded customer messages at their time of day, analysed by Harken."""
    from harken.analysis import analyze

    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("inbound") == "True"]
    stamps, authors, texts = [], [], []
    for row in rows:
        try:
            when = datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y")
        except (KeyError, ValueError):
            continue
        stamps.append(when.hour * 3600 + when.minute * 60 + when.second)
        authors.append(row["author_id"])
        texts.append(row["text"])
    found = analyze(texts)
    day = [
        Message(float(at), author, tuple(a.intents) or ("other",), a.sentiment)
        for at, author, a in zip(stamps, authors, found, strict=True)
    ]
    return sorted(day, key=lambda m: m.at)


def synthetic_day(
    pool: Sequence[tuple[tuple[str, ...], str]],
    *,
    messages: int = 1200,
    loud_share: float = 0.5,
    loud_authors: float = 0.05,
    seed: int = 7,
) -> list[Message]:
    """A day where ``loud_authors`` of the authors send ``loud_share`` of the messages.

    ``pool``: (intents, sentiment) pairs to draw the quiet authors' messages from; the loud
    ones complain, negatively, two times in three. Arrivals follow a daytime peak (a sine
    over the day, busiest at 15:00); a loud author's messages come in a burst, minutes apart.
    """
    rng = random.Random(seed)
    loud_messages = round(messages * loud_share)
    quiet_messages = messages - loud_messages
    # Quiet authors send one message, one in twenty of them two.
    quiet: list[int] = []
    while sum(quiet) < quiet_messages:
        quiet.append(2 if rng.random() < 0.05 and sum(quiet) + 2 <= quiet_messages else 1)
    n_loud = max(1, round(len(quiet) * loud_authors / (1 - loud_authors)))
    loud = [
        loud_messages // n_loud + (1 if i < loud_messages % n_loud else 0) for i in range(n_loud)
    ]
    complaints = [p for p in pool if "complaint" in p[0] and p[1] == "negative"] or list(pool)

    def daytime() -> float:
        while True:
            at = rng.uniform(0, DAY)
            if rng.random() < 0.55 + 0.45 * math.sin((at / DAY - 0.375) * 2 * math.pi):
                return at

    day = []
    for i, count in enumerate(quiet):
        start = daytime()
        for j in range(count):
            intents, sentiment = rng.choice(pool)
            day.append(Message(min(DAY - 1, start + j * 1800), f"q{i}", intents, sentiment))
    for i, count in enumerate(loud):
        at = daytime()
        for _ in range(count):
            intents, sentiment = rng.choice(complaints if rng.random() < 2 / 3 else pool)
            day.append(Message(at % DAY, f"l{i}", intents, sentiment))
            at += rng.expovariate(1 / 900)  # every quarter of an hour on average
    return sorted(day, key=lambda m: m.at)


# Simulation -------------------------------------------------------------------------------


def simulate(
    day: Sequence[Message],
    order: str,
    per_hour: float,
    *,
    score: Score | None = None,
    repeats: int = 3,
    measured: int = 1,
) -> Outcome:
    """Replay ``day`` ``repeats`` times in a row (fresh authors each time) through a team
    answering ``per_hour`` conversations an hour in ``order``; measure day ``measured``."""
    if score is None:
        from harken.inbox.priority import _score as score
    memo: dict[tuple, int] = {}
    counts = Counter(m.author for m in day)
    arrivals = [  # on whole minutes, as the memo below needs
        (r * DAY + m.at // 60 * 60, f"{r}:{m.author}", m, r, kind_of(counts[m.author]))
        for r in range(repeats)
        for m in day
    ]
    arrivals.sort(key=lambda a: a[0])
    service = 3600.0 / per_hour
    end = repeats * DAY
    posted: dict[str, list[float]] = defaultdict(list)  # each author's arrival times
    waiting: dict[int, tuple[float, str, Message, int, str]] = {}
    stored: dict[int, int] = {}  # conversation id -> stored priority
    heap: list[tuple[float, float]] = []  # fifo: (arrival, id); else (-priority, id)
    outcome = Outcome()
    fair = order == "harken"
    # pending entries per conversation, built once
    entries: dict[int, list] = {}

    def rescore(ids: Sequence[int], now: float) -> None:
        when = EPOCH + timedelta(seconds=now)
        recent: dict[str, int] = {}
        if fair:
            for i in ids:
                author = waiting[i][1]
                if author not in recent:
                    times = posted[author]
                    recent[author] = bisect.bisect_right(times, now) - bisect.bisect_right(
                        times, now - DAY
                    )
        for i in ids:
            at, author, message, _r, _kind = waiting[i]
            # Arrivals and recomputations fall on whole minutes, so equal inputs recur: the
            # same function, evaluated once per distinct (what, who, how long) it is asked.
            key = (message.intents, message.sentiment, recent.get(author, 1), now - at)
            if key not in memo:
                memo[key] = score(entries[i], {}, recent, when)[0]
            if stored.get(i) != memo[key]:
                stored[i] = memo[key]
                heapq.heappush(heap, (-memo[key], i))  # the inbox's "-priority, id"

    def pick() -> int:
        if order == "fifo":
            while True:
                _, i = heapq.heappop(heap)
                if i in waiting:
                    return int(i)
        while True:  # entries of answered or rescored conversations are skipped
            minus_score, at_tie = heapq.heappop(heap)
            i = int(at_tie)
            if i in waiting and stored[i] == -minus_score:
                return i

    nxt, free_at, last_tick, clock = 0, 0.0, 0.0, 0.0
    while nxt < len(arrivals) or waiting:
        # The next event: an arrival, or the team free with work waiting.
        arrival_at = arrivals[nxt][0] if nxt < len(arrivals) else math.inf
        serve_at = max(free_at, clock) if waiting else math.inf
        now = clock = min(arrival_at, serve_at)
        if now >= end:
            break
        if order != "fifo":
            while last_tick + TICK <= now:
                last_tick += TICK
                if waiting:
                    rescore(list(waiting), last_tick)
        if arrival_at <= serve_at:
            at, author, message, r, kind = arrivals[nxt]
            i = nxt
            nxt += 1
            posted[author].append(at)
            waiting[i] = (at, author, message, r, kind)
            entries[i] = [
                (
                    EPOCH + timedelta(seconds=at),
                    False,
                    author,
                    list(message.intents),
                    message.sentiment,
                )
            ]
            if order == "fifo":
                heapq.heappush(heap, (at, i))
            else:
                rescore([i], at)
            continue
        i = pick()
        at, author, message, r, kind = waiting.pop(i)
        stored.pop(i, None)
        done = now + service
        free_at = done
        if r == measured:
            outcome.waits[kind].append(done - at)
            if done - at > DAY:
                outcome.starved[kind] += 1
    for at, _author, _message, r, kind in waiting.values():
        if r == measured:
            outcome.unanswered[kind].append(end - at)
            if end - at > DAY:
                outcome.starved[kind] += 1
    return outcome


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile; math.inf for an empty list's or a never-answered one."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(outcome: Outcome, kind: str) -> dict[str, float]:
    """Median and p90 wait, share within an hour, longest wait, starved; an unanswered
    conversation counts as waiting forever for the percentiles."""
    answered = outcome.waits.get(kind, [])
    never = outcome.unanswered.get(kind, [])
    waits = answered + [math.inf] * len(never)
    total = len(waits)
    return {
        "n": total,
        "median": percentile(waits, 0.5),
        "p90": percentile(waits, 0.9),
        "within_hour": sum(w <= 3600 for w in waits) / total if total else math.nan,
        "longest": max([*answered, *never], default=math.nan),
        "longest_open": bool(never) and max(never) >= max(answered, default=0),
        "starved": outcome.starved.get(kind, 0),
    }


def run_day(day: Sequence[Message], score: Score | None = None) -> dict:
    """Every order at every load: {(order, load): {kind: figures}}."""
    results = {}
    for load in LOADS:
        per_hour = len(day) / 24 / load
        for order in ORDERS:
            outcome = simulate(day, order, per_hour, score=score)
            results[(order, load)] = {kind: figures(outcome, kind) for kind in KINDS}
    return results


def goals(results: dict) -> list[tuple[str, bool]]:
    checks = []
    for load in LOADS:
        ours, fifo = results[("harken", load)], results[("fifo", load)]
        first, loud = ours["first-time"]["p90"], ours["prolific"]["p90"]
        checks.append(
            (
                f"{load:.0%} load: first-time p90 {_h(first)}"
                f" <= FIFO's {_h(fifo['first-time']['p90'])}",
                first <= fifo["first-time"]["p90"],
            )
        )
        if load >= 0.9:
            checks.append(
                (
                    f"{load:.0%} load: first-time p90 {_h(first)}"
                    f" <= half the prolific p90 {_h(loud)}",
                    first <= loud / 2,
                )
            )
        else:
            starved = sum(ours[k]["starved"] for k in KINDS)
            checks.append((f"{load:.0%} load: nobody starves ({starved} did)", starved == 0))
        if load == 0.9:
            starved = sum(ours[k]["starved"] for k in KINDS)
            checks.append((f"{load:.0%} load: nobody starves ({starved} did)", starved == 0))
    return checks


def _h(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    if math.isinf(seconds):
        return "never"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def report(name: str, day: Sequence[Message], results: dict) -> bool:
    counts = Counter(m.author for m in day)
    authors = Counter(kind_of(c) for c in counts.values())
    messages = Counter(kind_of(counts[m.author]) for m in day)
    print(f"\n== {name}: {len(day)} messages from {len(counts)} authors ==")
    print("   " + ", ".join(f"{k}: {authors[k]} authors / {messages[k]} messages" for k in KINDS))
    print(
        f"   {'order':<9} {'load':>5} {'N/h':>6}  {'author':<11} {'n':>5} {'median':>8}"
        f" {'p90':>8} {'<=1h':>6} {'longest':>9} {'starved':>8}"
    )
    for load in LOADS:
        for order in ORDERS:
            for kind in KINDS:
                f = results[(order, load)][kind]
                longest = _h(f["longest"]) + ("+" if f["longest_open"] else "")
                print(
                    f"   {order:<9} {load:>5.0%} {len(day) / 24 / load:>6.1f}  {kind:<11}"
                    f" {f['n']:>5} {_h(f['median']):>8} {_h(f['p90']):>8}"
                    f" {f['within_hour']:>6.0%} {longest:>9} {f['starved']:>8}"
                )
    ok = True
    for text, passed in goals(results):
        ok &= passed
        print(f"   {'PASS' if passed else 'FAIL'}  {text}")
    return ok


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the TWCS csv")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("HARKEN_DATA_DIR", tempfile.mkdtemp(prefix="bench-fairness-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harken.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    started = time.perf_counter()
    print(
        f"bench/fairness.py on {_cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    ok = True
    if args.data.exists():
        real = recorded_day(args.data)
        pool = [(m.intents, m.sentiment) for m in real]
        ok &= report("recorded day (customer-support-twitter)", real, run_day(real))
    else:
        print(
            f"\n(no {args.data}: the recorded day is skipped;"
            " the synthetic day draws intents evenly)"
        )
        pool = [
            (("complaint",), "negative"),
            (("question",), "neutral"),
            (("praise",), "positive"),
            (("other",), "neutral"),
        ]
    synthetic = synthetic_day(pool, seed=args.seed)
    ok &= report(
        "synthetic day (5 % of authors send 50 % of messages)", synthetic, run_day(synthetic)
    )
    print(
        f"\n{'all goals met' if ok else 'some goals NOT met'};"
        f" {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
