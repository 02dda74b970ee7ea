"""Many posts at once: import them from CSV, export the calendar as CSV.

An import is all or nothing: every row is checked first (the text against each
account's network, the time, the category, the media URL fetched through the URL
guard), every bad row is listed with its line and reason, and nothing is stored unless
every row is good; the posts are then made in one transaction, which a refusal by the
scheduling checks rolls back whole.

An export neutralises spreadsheet formulas: a cell that starts with = + - @ (or a tab or
carriage return) gets a leading quote, so opening the file never runs what a mention or
a colleague wrote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from harken.core.models import Member, Workspace
from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.registry import connector_class, network_label
from harken.publishing.calendar.series import needs_approval
from harken.publishing.models import Category, Post, Variant
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import State, transition
from harken.publishing.validation import CannotSchedule, check_post_fields, check_text

#: Besides these, a column named after a network's own field of a post (Reddit's
#: ``title`` and ``subreddit``, ``Connector.post_fields``) fills it for that network.
COLUMNS = ("text", "accounts", "time", "media_url", "alt_text", "category")
REQUIRED = ("text", "accounts", "time")
#: Rows one import may hold: a month of posts for a busy team, not a database dump.
MAX_ROWS = 500
MAX_BYTES = 1024 * 1024
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


@dataclass
class Row:
    line: int
    text: str
    accounts: list[Account]
    at: datetime
    category: str
    media_url: str = ""
    alt_text: str = ""
    media: Any = None
    #: The row's other columns, for the networks whose posts have such fields.
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(Exception):
    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


def account_lookup(workspace: Workspace) -> dict[str, Account]:
    """An account by its handle, or by ``network:handle`` where two networks share one."""
    found: dict[str, Account] = {}
    for account in Account.objects.filter(workspace=workspace).exclude(
        status=Account.Status.DISABLED
    ):
        found[f"{account.network}:{account.handle}".lower()] = account
        found.setdefault(account.handle.lower(), account)
    return found


def parse_time(raw: str, zone: ZoneInfo) -> datetime | None:
    """A local time (``2026-02-14 09:00``, the workspace's zone) or one with an offset."""
    raw = raw.strip()
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = None
        for form in TIME_FORMATS:
            try:
                parsed = datetime.strptime(raw, form)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def parse_category(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return Category.EDUCATIONAL
    for value, label in Category.choices:
        if raw.lower() in (value, label.lower()):
            return value
    return None


def check_row(
    line: int, cells: dict[str, str], lookup: dict[str, Account], zone: ZoneInfo, now: datetime
) -> tuple[Row | None, list[str]]:
    """One row read and checked: the row, or the reasons it is bad."""
    reasons = []
    text = (cells.get("text") or "").strip()
    if not text:
        reasons.append("the text is empty")
    names = [
        n for n in (cells.get("accounts") or "").replace(";", " ").replace(",", " ").split() if n
    ]
    accounts = []
    for name in names:
        account = lookup.get(name.lower())
        if account is None:
            reasons.append(f"no account {name!r} in this workspace")
        elif account not in accounts:
            accounts.append(account)
    if not names:
        reasons.append("no accounts")
    at = parse_time(cells.get("time") or "", zone)
    if at is None:
        reasons.append(f"the time {cells.get('time', '')!r} is not YYYY-MM-DD HH:MM")
    elif at <= now:
        reasons.append("the time has passed")
    category = parse_category(cells.get("category") or "")
    if category is None:
        reasons.append(f"no category {cells.get('category')!r}")
    options = {k: (v or "").strip() for k, v in cells.items() if k and k not in COLUMNS}
    if text:
        for account in accounts:
            label = network_label(account.network)
            problems = check_text(text, account, main=True)
            problems += check_post_fields(account, options)
            reasons += [f"{label}: {p.message}" for p in problems]
    if reasons or at is None or category is None:
        return None, reasons
    return Row(
        line,
        text,
        accounts,
        at,
        category,
        (cells.get("media_url") or "").strip(),
        (cells.get("alt_text") or "").strip(),
        options=options,
    ), []


def read_csv(data: bytes, workspace: Workspace, now: datetime | None = None) -> Outcome:
    """Every row of ``data`` checked (media not fetched yet); the bad ones listed."""
    outcome = Outcome()
    if len(data) > MAX_BYTES:
        outcome.errors.append((0, f"The file is larger than {MAX_BYTES // 1024} KB."))
        return outcome
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        outcome.errors.append((0, "The file is not UTF-8 text; save it as CSV UTF-8."))
        return outcome
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        outcome.errors.append(
            (1, f"The first line must name the columns; missing: {', '.join(missing)}.")
        )
        return outcome
    reader.fieldnames = header
    lookup = account_lookup(workspace)
    zone = ZoneInfo(workspace.time_zone)
    now = now or timezone.now()
    for number, cells in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            outcome.errors.append((number, f"An import holds at most {MAX_ROWS} rows."))
            break
        if not any((v or "").strip() for v in cells.values() if isinstance(v, str)):
            continue  # a blank line
        row, reasons = check_row(reader.line_num, cells, lookup, zone, now)
        if row is None:
            outcome.errors.append((reader.line_num, "; ".join(reasons) + "."))
        else:
            outcome.rows.append(row)
    if not outcome.rows and not outcome.errors:
        outcome.errors.append((0, "The file has no posts."))
    return outcome


def fetch_media(row: Row, workspace: Workspace, member: Member | None) -> str | None:
    """Fetch the row's image through the URL guard and keep it as Media; the reason when
    it cannot be used."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from harken.lib import http
    from harken.publishing.compose.media import MAX_UPLOAD, Unusable, inspect
    from harken.publishing.models import Media

    try:
        response = http.get(row.media_url, max_bytes=MAX_UPLOAD, attempts=2)
    except ConnectorError as exc:
        return f"the media URL could not be fetched ({exc})"
    upload = SimpleUploadedFile("media", response.content)
    try:
        content_type, width, height = inspect(upload)
    except Unusable:
        return "the media URL is not an image (JPEG, PNG, GIF or WebP)"
    upload.seek(0)
    row.media = Media(
        workspace=workspace,
        content_type=content_type,
        size=len(response.content),
        width=width,
        height=height,
        alt_text=row.alt_text,
        uploaded_by=member,
    )
    row.media.file.save("media", upload, save=False)
    return None


def do_import(data: bytes, workspace: Workspace, member: Member | None) -> list[Post]:
    """Import every row of ``data`` or none: ``ImportRefused`` lists each bad row."""
    outcome = read_csv(data, workspace)
    if outcome.ok:
        for row in outcome.rows:
            if row.media_url:
                reason = fetch_media(row, workspace, member)
                if reason:
                    outcome.errors.append((row.line, reason + "."))
    if not outcome.ok:
        raise ImportRefused(sorted(outcome.errors))
    errors: list[tuple[int, str]] = []
    approve = needs_approval(member)
    with transaction.atomic():
        posts = [_make(row, workspace, member, approve, errors) for row in outcome.rows]
        if errors:
            transaction.set_rollback(True)
    if errors:
        _discard_media(outcome.rows)
        raise ImportRefused(errors)
    return posts


def _make(
    row: Row, workspace: Workspace, member: Member | None, approve: bool, errors: list
) -> Post:
    post = Post.objects.create(workspace=workspace, category=row.category, author=member)
    if row.media is not None:
        row.media.save()
    for account in row.accounts:
        own = {spec.name for spec in connector_class(account.network).post_fields}
        variant = Variant.objects.create(
            workspace=workspace,
            post=post,
            account=account,
            text=row.text,
            scheduled_at=row.at,
            post_options={k: v for k, v in row.options.items() if k in own},
        )
        if row.media is not None:
            variant.media.add(row.media)
        if approve:
            transition(variant, State.AWAITING_APPROVAL)
            continue
        try:
            do_schedule(variant, row.at, actor=member.user if member else None)
        except CannotSchedule as refusal:
            label = network_label(account.network)
            errors.append((row.line, f"{label}: " + " ".join(p.message for p in refusal.problems)))
    return post


def _discard_media(rows: Iterable[Row]) -> None:
    for row in rows:
        if row.media is not None and row.media.file:
            row.media.file.delete(save=False)


DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(DANGEROUS) else text


def export_rows(workspace: Workspace, first: datetime, end: datetime) -> Iterable[list[str]]:
    """The calendar between ``first`` and ``end`` as CSV rows, header first, local times."""
    zone = ZoneInfo(workspace.time_zone)
    yield ["time", "account", "network", "state", "category", "text", "url"]
    rows = (
        Variant.objects.filter(workspace=workspace, scheduled_at__gte=first, scheduled_at__lt=end)
        .select_related("account", "post")
        .order_by("scheduled_at", "pk")
    )
    for v in rows:
        assert v.scheduled_at is not None
        yield [
            neutralise(cell)
            for cell in (
                v.scheduled_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                v.account.handle,
                network_label(v.account.network),
                State(v.state).label,
                v.post.get_category_display(),
                v.text,
                v.url,
            )
        ]
