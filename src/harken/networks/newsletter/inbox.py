"""What arrives in the list's IMAP inbox (optional): replies, which Harken's inbox shows
as private messages, and delivery status notifications (RFC 3464), which mark the
addresses that bounce.

The cursor is ``<UIDVALIDITY>:<last UID read>``; the folder is opened read-only and
messages are fetched with ``BODY.PEEK`` so nothing is marked read for the person who also
uses the mailbox. A changed UIDVALIDITY reads the folder again from its start; the
pipeline's (network, external id) key makes that harmless.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from django.utils.html import strip_tags

from harken.lib.urlguard import UnsafeURL
from harken.networks.base import ConnectorError
from harken.networks.newsletter.sockets import GuardedIMAP, GuardedIMAPSSL, refused

TIMEOUT = 30.0
#: Messages read per poll; the rest wait for the next one.
PER_POLL = 100
#: The line a mail client puts above the quoted mail ("On …, … wrote:").
_WROTE = re.compile(r"^\s*(On .{0,200}wrote:|Le .{0,200}a écrit ?:|Am .{0,200}schrieb .*:)\s*$")


@dataclass(frozen=True)
class Reply:
    message_id: str
    sender: str
    name: str
    subject: str
    text: str
    created: datetime
    in_reply_to: str
    references: str


@dataclass(frozen=True)
class Bounce:
    recipient: str
    hard: bool
    reason: str


def parse(raw: bytes) -> Reply | Bounce | None:
    """A reply, a delivery report, or None (an auto-reply or a mail with no sender)."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    if message.get_content_type() == "multipart/report":
        return _bounce(message)
    if str(message.get("Auto-Submitted", "no")).lower() != "no":
        return None  # vacation replies and other robots (RFC 3834)
    name, sender = parseaddr(str(message.get("From", "")))
    if not sender or "@" not in sender:
        return None
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:
        return None
    try:
        created = parsedate_to_datetime(str(message.get("Date", "")))
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
    except (TypeError, ValueError):
        created = datetime.now(UTC)
    return Reply(
        message_id=message_id[:255],
        sender=sender.lower(),
        name=name,
        subject=str(message.get("Subject", ""))[:500],
        text=body_text(message),
        created=created,
        in_reply_to=str(message.get("In-Reply-To", "")).strip()[:255],
        references=" ".join(str(message.get("References", "")).split()),
    )


def body_text(message: EmailMessage) -> str:
    """The words the person wrote: the plain part (else the HTML part's text), without
    the quoted mail below them."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = str(part.get_content())  # type: ignore[attr-defined]
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        content = strip_tags(content)
    kept: list[str] = []
    for line in content.splitlines():
        if line.startswith(">") or _WROTE.match(line):
            break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _bounce(message: EmailMessage) -> Bounce | None:
    """The failed or delayed recipient of a delivery status notification."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        fields = [b for b in blocks if isinstance(b, Message)] if isinstance(blocks, list) else []
        for block in fields[1:] or fields:
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.partition(";")[2].strip() or recipient.strip()
            if not address or action not in ("failed", "delayed"):
                continue
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            return Bounce(
                recipient=address.lower(),
                hard=action == "failed" and status.startswith("5"),
                reason=f"{status} {diagnostic}".strip()[:500],
            )
    return None


def configured(config: Mapping[str, Any]) -> bool:
    return bool(config.get("imap_host") and config.get("imap_user"))


def read(config: Mapping[str, Any], cursor: str | None) -> tuple[list[bytes], str | None, bool]:
    """The raw messages after ``cursor``, the cursor after them, and whether more wait."""
    session = _connect(config)
    try:
        folder = str(config.get("imap_folder") or "INBOX")
        status, _ = session.select(_quoted(folder), readonly=True)
        if status != "OK":
            raise ConnectorError(f"The IMAP server has no folder {folder!r}.", permanent=True)
        validity = _validity(session)
        last = 0
        if cursor and cursor.partition(":")[0] == validity:
            last = int(cursor.partition(":")[2] or 0)
        status, data = session.uid("SEARCH", f"UID {last + 1}:*")
        if status != "OK":
            raise ConnectorError(f"The IMAP search failed: {data!r}")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last)
        raws: list[bytes] = []
        for uid in uids[:PER_POLL]:
            status, fetched = session.uid("FETCH", str(uid), "(BODY.PEEK[])")
            # One message asked for: its literal is the message, wherever the server
            # puts the UID item (before it or, as pymap does, after).
            raws.extend(item[1] for item in fetched if isinstance(item, tuple))
            last = uid
        return raws, f"{validity}:{last}", len(uids) > PER_POLL
    except (imaplib.IMAP4.error, OSError) as error:
        raise ConnectorError(f"The IMAP server failed: {error}") from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            session.logout()


def _connect(config: Mapping[str, Any]) -> imaplib.IMAP4:
    host = str(config["imap_host"])
    security = str(config.get("imap_security") or "ssl")
    port = int(config.get("imap_port") or (993 if security == "ssl" else 143))
    context = ssl.create_default_context()
    try:
        if security == "ssl":
            session: imaplib.IMAP4 = GuardedIMAPSSL(
                host, port, ssl_context=context, timeout=TIMEOUT
            )
        else:
            session = GuardedIMAP(host, port, timeout=TIMEOUT)
            if security == "starttls":
                session.starttls(ssl_context=context)
    except UnsafeURL as error:
        raise refused(error) from None
    except imaplib.IMAP4.error as error:
        raise ConnectorError(
            f"The IMAP server refused TLS: {error}. Check the security setting.", permanent=True
        ) from None
    except OSError as error:
        raise ConnectorError(f"Could not reach the IMAP server {host}:{port}: {error}") from None
    try:
        session.login(str(config["imap_user"]), str(config.get("imap_password") or ""))
    except imaplib.IMAP4.error as error:
        session.shutdown()  # refused: the connection is not left open
        raise ConnectorError(
            f"The IMAP server refused the login: {error}", permanent=True
        ) from None
    except OSError as error:
        session.shutdown()
        raise ConnectorError(f"Could not reach the IMAP server {host}:{port}: {error}") from None
    return session


def _validity(session: imaplib.IMAP4) -> str:
    _, data = session.response("UIDVALIDITY")
    value = data[0] if data and data[0] else b"0"
    return value.decode() if isinstance(value, bytes) else str(value)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(config: Mapping[str, Any]) -> None:
    """Log in and open the folder, or a ``ConnectorError`` in the server's words."""
    session = _connect(config)
    try:
        folder = str(config.get("imap_folder") or "INBOX")
        status, _ = session.select(_quoted(folder), readonly=True)
        if status != "OK":
            raise ConnectorError(f"The IMAP server has no folder {folder!r}.", permanent=True)
    except (imaplib.IMAP4.error, OSError) as error:
        raise ConnectorError(f"The IMAP server failed: {error}") from None
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            session.logout()
