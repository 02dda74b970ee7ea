"""What a calendar page shows: one chip per variant (the list), one per post and time
(the month and the week, with a dot per account), and the events, grouped by local day.

One query for the variants (with their accounts and posts) and one per kind of event,
whatever the number of days: the month view stays a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from harken.core.models import Workspace
from harken.networks.models import Account
from harken.networks.registry import network_label
from harken.publishing.calendar import grid
from harken.publishing.calendar.events import CalendarEvent, events_between
from harken.publishing.demo import is_held
from harken.publishing.models import Occurrence, Variant
from harken.publishing.states import EDITABLE, State

#: Account colours, told apart by people with the common colour-vision deficiencies.
PALETTE = (
    "#1f6f8b",
    "#c0527a",
    "#6a4fb3",
    "#2e8b57",
    "#c77d0a",
    "#3b5bdb",
    "#8f5b34",
    "#0f8c8c",
    "#a23b3b",
    "#5c6b2e",
)
#: Characters of a variant's text on its chip.
CHIP_CHARS = 48


def account_colour(account_id: int) -> str:
    """A stable colour per account, the same on every page and every day: the class
    ``acct-N`` of the stylesheet, which holds ``PALETTE[N]``."""
    return f"acct-{account_id % len(PALETTE)}"


def first_words(text: str, limit: int = CHIP_CHARS) -> str:
    """The start of ``text`` on one line, cut at a word where it is long (escaped later,
    by the template, like every text a person or a network wrote)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut + "…"


@dataclass(frozen=True)
class Chip:
    variant_id: int
    post_id: int
    at: datetime  # local
    account_id: int
    handle: str
    network: str
    network_label: str
    colour: str
    words: str
    state: str
    state_label: str
    movable: bool
    series: bool
    error: str


@dataclass(frozen=True)
class PostChip:
    """A post at one time on one day: its variants' chips together, one dot per account.
    Variants of one post at different times (each account's queue slot) are apart."""

    chips: tuple[Chip, ...]

    @property
    def first(self) -> Chip:
        return self.chips[0]

    @property
    def post_id(self) -> int:
        return self.first.post_id

    @property
    def at(self) -> datetime:
        return self.first.at

    @property
    def words(self) -> str:
        return self.first.words

    @property
    def variant_ids(self) -> str:
        return " ".join(str(c.variant_id) for c in self.chips)

    @property
    def movable(self) -> bool:
        return all(c.movable for c in self.chips)

    @property
    def series(self) -> bool:
        return self.first.series

    @property
    def state(self) -> str:
        """The state that most needs a look: failed, then awaiting approval, then the
        rest in the order a post moves (the chip's colour)."""
        states = {c.state for c in self.chips}
        for state in URGENT:
            if state in states:
                return state
        return self.first.state

    @property
    def state_words(self) -> str:
        """ "Scheduled", or "1 failed · 2 published" when the accounts differ."""
        counts: dict[str, int] = {}
        for chip in self.chips:
            counts[chip.state_label] = counts.get(chip.state_label, 0) + 1
        if len(counts) == 1:
            return next(iter(counts))
        return " · ".join(f"{n} {label.lower()}" for label, n in counts.items())

    @property
    def title(self) -> str:
        return "; ".join(
            f"{c.handle} on {c.network_label}: {c.state_label}"
            + (f" ({c.error})" if c.error else "")
            for c in self.chips
        )


#: The state a post's chip takes when its accounts differ: the one that needs a person.
URGENT = (State.FAILED, State.AWAITING_APPROVAL, State.PUBLISHING, State.DRAFT)


def group(chips: list[Chip]) -> list[PostChip]:
    """The chips of one post at one moment as one, in the order of their first chip."""
    groups: dict[tuple[int, datetime], list[Chip]] = {}
    for chip in chips:
        groups.setdefault((chip.post_id, chip.at), []).append(chip)
    return [PostChip(tuple(members)) for members in groups.values()]


@dataclass(frozen=True)
class HourCell:
    """One hour of one day in the week's grid: ``exists`` is False for the hour the
    clocks skip; ``repeated`` for the hour they go through twice."""

    day: date
    hour: int
    exists: bool
    repeated: bool
    posts: list[PostChip]


def hour_rows(days: list[Day], zone: ZoneInfo) -> list[tuple[int, list[HourCell]]]:
    """The week's grid: a row per wall-clock hour, a cell per day with its posts."""
    rows = []
    for hour in range(24):
        cells = []
        for d in days:
            exists, repeated = grid.hour_kind(d.day, hour, zone)
            posts = [p for p in d.posts if p.at.hour == hour]
            cells.append(HourCell(d.day, hour, exists, repeated, posts))
        rows.append((hour, cells))
    return rows


@dataclass(frozen=True)
class Shown:
    event: CalendarEvent
    continues: bool = False


@dataclass
class Day:
    day: date
    chips: list[Chip] = field(default_factory=list)
    events: list[CalendarEvent] = field(default_factory=list)
    hours: float = 24.0
    #: The events that begin on this day: the list view names a season running for
    #: weeks once, on its first day (or on the list's first day, ``views.list_days``).
    list_events: list[CalendarEvent] = field(default_factory=list)
    #: The events the month and week grids name on this day: on the day an event begins
    #: and, for one running for days, again at the start of each week ("continues").
    grid_events: list[Shown] = field(default_factory=list)

    @property
    def posts(self) -> list[PostChip]:
        return group(self.chips)

    @property
    def by_hour(self) -> dict[int, list[Chip]]:
        hours: dict[int, list[Chip]] = defaultdict(list)
        for chip in self.chips:
            hours[chip.at.hour].append(chip)
        return hours


@dataclass(frozen=True)
class ListDay:
    """A day of the list view and the events it names."""

    day: Day
    events: list[CalendarEvent]


@dataclass(frozen=True)
class Filters:
    accounts: frozenset[int] = frozenset()
    states: frozenset[str] = frozenset()


def variants_between(
    workspace: Workspace, start: datetime, end: datetime, filters: Filters
) -> list[Variant]:
    rows = (
        Variant.objects.filter(workspace=workspace, scheduled_at__gte=start, scheduled_at__lt=end)
        .select_related("account", "post")
        .order_by("scheduled_at", "pk")
    )
    if filters.accounts:
        rows = rows.filter(account_id__in=filters.accounts)
    if filters.states:
        rows = rows.filter(state__in=filters.states)
    return list(rows)


def chip_for(variant: Variant, zone: ZoneInfo, in_series: set[int]) -> Chip:
    account = variant.account
    assert variant.scheduled_at is not None  # the query asked for a time
    return Chip(
        variant_id=variant.pk,
        post_id=variant.post_id,
        at=grid.local(variant.scheduled_at, zone),
        account_id=account.pk,
        handle=account.handle,
        network=account.network,
        network_label=network_label(account.network),
        colour=account_colour(account.pk),
        words=first_words(variant.text),
        state=variant.state,
        # A demo account's post is held, never sent: the chip says so, not "Scheduled".
        state_label="Demo: held" if is_held(variant) else State(variant.state).label,
        movable=variant.state in EDITABLE,
        series=variant.post_id in in_series,
        error=variant.error,
    )


def days_for(workspace: Workspace, window: grid.Window, filters: Filters) -> list[Day]:
    """Every day of ``window`` with its chips (in local time order) and events."""
    zone = ZoneInfo(workspace.time_zone)
    start, end = grid.bounds(window.first, window.last, zone)
    variants = variants_between(workspace, start, end, filters)
    in_series = set(
        Occurrence.objects.filter(post_id__in={v.post_id for v in variants}).values_list(
            "post_id", flat=True
        )
    )
    days = {d: Day(d, hours=grid.day_hours(d, zone)) for d in window.days}
    for variant in variants:
        chip = chip_for(variant, zone, in_series)
        days[chip.at.date()].chips.append(chip)
    for event in events_between(workspace, window.first, window.last):
        for d in window.days:
            if event.first <= d <= event.last:
                days[d].events.append(event)
                if d == event.first:
                    days[d].list_events.append(event)
                if d == event.first or d == window.first or d == grid.week_start(d):
                    days[d].grid_events.append(Shown(event, continues=d != event.first))
    return list(days.values())


def accounts_of(workspace: Workspace) -> list[Account]:
    """Every account, a disabled one too: its posts are still on the calendar."""
    return list(Account.objects.filter(workspace=workspace).order_by("network", "handle"))
