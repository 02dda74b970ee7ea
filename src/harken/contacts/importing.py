"""Customer import: a CSV file (Excel's "CSV UTF-8" with its byte order mark, or saved with
semicolons) of the business's customers, columns mapped by name.

Known columns: e-mail, name (or first and last name), status, customer since, lifetime
value, tags, notes, and one column per network holding the handle there (bluesky,
mastodon, x or twitter, reddit). Every other column is a segment ("age band", "region",
"plan"). A row is found again by its e-mail, else by one of its handles: a re-import
updates, never duplicates. All or nothing: one bad row and nothing is stored, and every
bad row is listed with its line number.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from harken.contacts.actions import clean_tags
from harken.contacts.handles import NETWORK_COLUMNS, clean_handle
from harken.contacts.linking import link_authors
from harken.contacts.models import Contact, Identity
from harken.core.actions import audit
from harken.core.models import Workspace
from harken.listening.importer import BINARY_STARTS, CsvReader, RowError
from harken.networks.registry import network_label

#: Normalised column names and the field each one fills.
FIELDS = {
    "email": "email",
    "e mail": "email",
    "email address": "email",
    "e mail address": "email",
    "mail": "email",
    "name": "name",
    "full name": "name",
    "customer": "name",
    "customer name": "name",
    "first name": "first_name",
    "last name": "last_name",
    "surname": "last_name",
    "status": "status",
    "customer since": "customer_since",
    "since": "customer_since",
    "first purchase": "customer_since",
    "lifetime value": "lifetime_value",
    "ltv": "lifetime_value",
    "clv": "lifetime_value",
    "customer lifetime value": "lifetime_value",
    "tags": "tags",
    "notes": "notes",
}
STATUSES = {
    "customer": Contact.Status.CUSTOMER,
    "prospect": Contact.Status.PROSPECT,
    "lead": Contact.Status.PROSPECT,
    "non customer": Contact.Status.NON_CUSTOMER,
    "noncustomer": Contact.Status.NON_CUSTOMER,
    "none": Contact.Status.NON_CUSTOMER,
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
MAX_ROWS = 50_000


class ImportRefused(Exception):
    """The whole file is refused (not a CSV, no usable column): one message."""


@dataclass
class Row:
    line: int
    email: str = ""
    name: str = ""
    status: str = ""
    customer_since: date | None = None
    lifetime_value: Decimal | None = None
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    handles: dict[str, str] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def read_as(self) -> list[tuple[str, str]]:
        """Each column and how it was read, in words."""
        words = {
            "email": "e-mail",
            "first_name": "first name",
            "last_name": "last name",
            "customer_since": "customer since",
            "lifetime_value": "lifetime value",
        }
        shown = []
        for column, fill in self.columns.items():
            if fill.startswith("handle:"):
                text = f"handle on {network_label(fill.split(':', 1)[1])}"
            else:
                text = words.get(fill, fill)
            shown.append((column, text))
        return shown


def normal_column(name: str) -> str:
    text = re.sub(r"\(.*?\)", " ", name.strip().lower())  # "Lifetime value (EUR)"
    return " ".join(re.sub(r"[_\-./]+", " ", text).split())


def column_map(columns: list[str]) -> dict[str, str]:
    """Each column and what it fills: a field, ``handle:<network>`` or ``segment``."""
    mapping = {}
    for column in columns:
        key = normal_column(column)
        network = NETWORK_COLUMNS.get(key.removesuffix(" handle").strip())
        if not key:
            continue
        mapping[column] = f"handle:{network}" if network else FIELDS.get(key, "segment")
    return mapping


def read_rows(handle: IO[bytes], name: str = "file") -> tuple[list[Row], ImportReport]:
    """Parse every row of the file, collecting each bad row's line and reason."""
    data = handle.read()
    head = data[:4096]
    what = next((kind for magic, kind in BINARY_STARTS.items() if head.startswith(magic)), "")
    if what or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        what = what or "UTF-16 text"
        raise ImportRefused(f'{name} is {what}: save the sheet as "CSV UTF-8" and import that')
    reader = CsvReader(io.BytesIO(utf8(data)))
    report = ImportReport(columns=column_map(reader.columns))
    fills = set(report.columns.values())
    if not fills & {"email", *(f for f in fills if f.startswith("handle:"))}:
        raise ImportRefused(
            f"{name} has no e-mail column and no handle column (such as bluesky, x or "
            f"mastodon) to find each person by; {reader.describe()}"
        )
    rows: list[Row] = []
    for line, record in reader.records():
        if len(rows) + len(report.errors) >= MAX_ROWS:
            raise ImportRefused(f"{name} has more than {MAX_ROWS:,} rows: split it")
        try:
            if isinstance(record, RowError):
                raise record
            rows.append(parse_row(line, record, report.columns))
        except (RowError, ValidationError) as exc:
            report.errors.append((line, _reason(exc)))
    _check_repeats(rows, report)
    return rows, report


def utf8(data: bytes) -> bytes:
    """The file as UTF-8. Excel's plain "CSV" in Western Europe is Windows-1252: a name
    such as "Cléo" must not arrive as "Cl\ufffdo"."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")
    return data


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)


def parse_row(line: int, record: dict[str, Any], mapping: dict[str, str]) -> Row:
    row = Row(line=line)
    first = last = ""
    for column, fill in mapping.items():
        value = str(record.get(column) or "").strip()
        if not value:
            continue
        if fill.startswith("handle:"):
            row.handles[fill.split(":", 1)[1]] = _handle(value, column)
        elif fill == "segment":
            row.segments[column.strip()[:60]] = value[:200]
        elif fill == "first_name":
            first = value
        elif fill == "last_name":
            last = value
        else:
            _fill(row, fill, value)
    row.name = (row.name or f"{first} {last}".strip())[:255]
    if not row.email and not row.handles:
        raise RowError("no e-mail and no handle: nothing to find this person by")
    return row


def _fill(row: Row, fill: str, value: str) -> None:
    if fill == "email":
        validate_email(value)
        row.email = value.lower()
    elif fill == "status":
        status = STATUSES.get(normal_column(value).replace("-", " "))
        if status is None:
            raise RowError(f"status {value!r}: expected customer, prospect or non-customer")
        row.status = status
    elif fill == "customer_since":
        row.customer_since = parse_date(value)
    elif fill == "lifetime_value":
        row.lifetime_value = parse_money(value)
    elif fill == "tags":
        row.tags = clean_tags(value)
    elif fill == "notes":
        row.notes = value
    elif fill == "name":
        row.name = value


def _handle(value: str, column: str) -> str:
    handle = clean_handle(value)
    if not handle or len(handle) > 255 or any(c.isspace() for c in handle):
        raise RowError(f"{column} {value!r} is not a handle")
    return handle


def parse_date(value: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise RowError(f"customer since {value!r}: expected a date such as 2024-03-31")


def parse_money(value: str) -> Decimal:
    """An amount as spreadsheets write it: "1,234.50", "1.234,50", "€ 120", "120,5"."""
    text = re.sub(r"[^\d.,\-]", "", value)
    if "," in text and "." in text:
        thousands = "," if text.index(",") < text.index(".") else "."
        text = text.replace(thousands, "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".") if re.search(r",\d{1,2}$", text) else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowError(f"lifetime value {value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise RowError(f"lifetime value {value!r}: expected an amount of 0 or more")
    return amount.quantize(Decimal("0.01"))


def _check_repeats(rows: list[Row], report: ImportReport) -> None:
    """The same e-mail or handle on two lines: the second is an error (which one wins?)."""
    seen: dict[str, int] = {}
    for row in rows:
        keys = ([f"e-mail {row.email}"] if row.email else []) + [
            f"@{h} on {n}" for n, h in row.handles.items()
        ]
        for key in keys:
            if key in seen:
                report.errors.append((row.line, f"the same {key} as line {seen[key]}"))
                break
            seen[key] = row.line
    report.errors.sort()


def import_customers(
    workspace: Workspace, handle: IO[bytes], name: str = "file", actor: Any = None
) -> ImportReport:
    """Import the file into ``workspace``: all rows, or none when any is bad."""
    rows, report = read_rows(handle, name)
    if report.errors:
        return report
    link_authors(workspace)
    with transaction.atomic():
        # One import at a time per workspace: two at once would each miss the other's new
        # contacts and make them twice (SQLite's write lock does this by itself).
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        store = _Store(workspace)
        for row in rows:
            if store.apply(row):
                report.created += 1
            else:
                report.updated += 1
        audit(
            workspace,
            actor,
            "contacts.import",
            name,
            created=report.created,
            updated=report.updated,
        )
    return report


class _Store:
    """The workspace's contacts by e-mail and identities by handle, kept current as rows apply."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        contacts = Contact.objects.filter(workspace=workspace, merged_into=None)
        self.by_email = {e: c for c in contacts for e in c.emails}
        self.by_handle = {
            (i.network, i.handle): i
            for i in Identity.objects.filter(workspace=workspace).select_related("contact")
        }

    def find(self, row: Row) -> Contact | None:
        if row.email in self.by_email:
            return self.by_email[row.email]
        for network, handle in row.handles.items():
            identity = self.by_handle.get((network, handle))
            if identity is not None and identity.contact.merged_into_id is None:
                return identity.contact
        return None

    def apply(self, row: Row) -> bool:
        """Create or update the row's contact; True when created."""
        contact = self.find(row)
        created = contact is None
        contact = contact or Contact(workspace=self.workspace, status=Contact.Status.CUSTOMER)
        _update(contact, row)
        contact.save()
        if row.email:
            self.by_email[row.email] = contact
        for network, handle in row.handles.items():
            self._attach(contact, network, handle)
        return created

    def _attach(self, contact: Contact, network: str, handle: str) -> None:
        identity = self.by_handle.get((network, handle))
        if identity is None:
            identity = Identity.objects.create(
                workspace=self.workspace, contact=contact, network=network, handle=handle
            )
            self.by_handle[(network, handle)] = identity
        elif identity.contact_id != contact.pk:
            claim = f"{network}:{handle}"
            if claim not in contact.claimed:
                contact.claimed = [*contact.claimed, claim]
                contact.save(update_fields=["claimed", "updated"])


def _update(contact: Contact, row: Row) -> None:
    if row.email and row.email not in contact.emails:
        contact.emails = [*contact.emails, row.email]
    contact.name = row.name or contact.name
    # A customer import: a row that does not say otherwise is a customer.
    contact.status = row.status or Contact.Status.CUSTOMER
    if row.customer_since:
        contact.customer_since = row.customer_since
    if row.lifetime_value is not None:
        contact.lifetime_value = row.lifetime_value
    contact.segments = {**contact.segments, **row.segments}
    if row.tags:
        contact.tags = list(dict.fromkeys([*contact.tags, *row.tags]))
    if row.notes and row.notes not in contact.notes:
        contact.notes = "\n\n".join(n for n in (contact.notes, row.notes) if n)
