"""An e-mail newsletter: the business's list, sent over its own SMTP server.

Config (the account's encrypted JSON): ``list_id`` (Harken's id for the list, the
account's external id), ``name``, ``from_email``, ``from_name``, ``reply_to``,
``postal_address`` (the line every issue ends with), ``smtp_host``, ``smtp_port``,
``smtp_security`` ("starttls", "ssl" or "none"), ``smtp_user``, ``smtp_password``,
``per_minute`` (sending pace) and, to read replies and bounce reports, ``imap_host``,
``imap_port``, ``imap_security``, ``imap_user``, ``imap_password``, ``imap_folder``.

``publish`` sends the post to every confirmed subscriber (``sending.py``: once each,
across crashes and retries); its links are already Harken's tracked links (the composer
makes them), so clicks are counted like any network's. ``fetch`` reads the IMAP inbox:
replies become private messages, delivery reports mark bounced addresses. ``reply``
answers a reply by e-mail, threaded under it. Subscribers join through the public
double opt-in form (``views.py``) or a CSV import (``subscribers.py``).
"""

from __future__ import annotations

import smtplib
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, ClassVar

from django.db.models import Count, Q, Sum

from harken.networks.base import (
    AccountMetrics,
    Connector,
    ConnectorError,
    NormalizedItem,
    Page,
    PostField,
    Published,
)
from harken.networks.newsletter import inbox, mail, sending, smtp


class Newsletter(Connector):
    network = "newsletter"
    label = "E-mail newsletter"
    capabilities = frozenset({"fetch", "publish", "reply", "metrics"})
    connect_flows: ClassVar[dict[str, str]] = {"smtp": "harken.networks.newsletter.flows.Smtp"}
    connect_template = "connect_newsletter.html"
    #: A mail has no practical limit; the subject is the post's own field.
    max_chars = None
    post_fields: ClassVar[tuple[PostField, ...]] = (PostField("subject", "Subject", max_chars=200),)
    #: Settings › Accounts links each list to its subscribers and import page.
    manage_view: ClassVar[str] = "networks:newsletter_import"
    #: After a crash the engine asks ``find_published``: the issue's send rows say.
    finds_published: ClassVar[bool] = True
    unreadable = "Replies are read only when an IMAP inbox is set for the list."

    # --- the list ------------------------------------------------------------------

    def account_pk(self) -> int:
        from harken.networks.models import Account

        list_id = str(self.config.get("list_id") or "")
        found = (
            Account.objects.filter(network=self.network, external_id=list_id)
            .filter(**({"workspace_id": self.workspace_id} if self.workspace_id else {}))
            .values_list("pk", flat=True)
            .first()
        )
        if not list_id or found is None:
            raise ConnectorError("This newsletter list is not connected.", permanent=True)
        return int(found)

    # --- publish and reply ---------------------------------------------------------

    def publish(self, text: str, idempotency_key: str | None = None, **options: Any) -> Published:
        subject = str(options.get("subject") or "").strip()
        if not subject:
            raise ConnectorError("A newsletter issue needs a subject.", rejected=True)
        issue = str(idempotency_key or uuid.uuid4().hex)
        sending.send_issue(
            self.account_pk(), self.config, subject=subject, text=text, issue=issue[:64]
        )
        return Published(external_id=issue[:64])

    def find_published(self, idempotency_key: str, text: str, since: datetime) -> Published | None:
        """The issue when every subscriber's row is settled; None while some are still
        queued (or none exist), so the engine publishes again and the issue goes on from
        where the crash cut it (a row cut mid-send is never sent twice: ``sending.py``)."""
        from harken.networks.newsletter.models import NewsletterSend

        rows = NewsletterSend.objects.filter(
            account_id=self.account_pk(), issue=idempotency_key[:64]
        )
        if not rows.exists() or rows.filter(state=NewsletterSend.State.QUEUED).exists():
            return None
        return Published(external_id=idempotency_key[:64])

    def reply(self, in_reply_to: str, text: str, idempotency_key: str | None = None) -> Published:
        from harken.networks.newsletter.models import NewsletterInbound

        got = NewsletterInbound.objects.filter(
            account_id=self.account_pk(), message_id=in_reply_to
        ).first()
        if got is None:
            raise ConnectorError(
                "Harken has not read this mail, so it cannot answer it.", rejected=True
            )
        message = EmailMessage()
        message["From"] = mail.sender(self.config)
        message["To"] = got.sender
        subject = got.subject if got.subject.lower().startswith("re:") else f"Re: {got.subject}"
        message["Subject"] = " ".join(subject.split())
        message["Date"] = formatdate(localtime=False)
        domain = str(self.config["from_email"]).rpartition("@")[2] or "localhost"
        key = str(idempotency_key or uuid.uuid4().hex)[:60]
        message["Message-ID"] = f"<reply.{key}@{domain}>"
        message["In-Reply-To"] = got.message_id
        message["References"] = f"{got.references} {got.message_id}".strip()
        message.set_content(text)
        session = smtp.connect(self.config)
        try:
            session.send_message(message, from_addr=str(self.config["from_email"]))
        except smtplib.SMTPRecipientsRefused as error:
            code, why = next(iter(error.recipients.values()), (0, b""))
            raise ConnectorError(
                f"The SMTP server refused {got.sender}: {code} {why!r}", rejected=code >= 500
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            raise ConnectorError(f"The SMTP server failed: {error}") from None
        finally:
            smtp.close(session)
        return Published(external_id=str(message["Message-ID"]))

    # --- read ----------------------------------------------------------------------

    def fetch(self, cursor: str | None) -> Page:
        if not inbox.configured(self.config):
            return Page(items=[], cursor=cursor)
        raws, after, more = inbox.read(self.config, cursor)
        return Page(items=self.ingest(raws), cursor=after, has_more=more)

    def ingest(self, raws: list[bytes]) -> list[NormalizedItem]:
        """Mails read from the inbox: a delivery report marks its address (a failure
        ends it, a delay is counted), a reply is kept for answering and returned as a
        private message; auto-replies are left alone."""
        from harken.networks.newsletter.models import NewsletterInbound, NewsletterSubscriber

        account = self.account_pk()
        items: list[NormalizedItem] = []
        for raw in raws:
            found = inbox.parse(raw)
            if isinstance(found, inbox.Bounce):
                for subscriber in NewsletterSubscriber.objects.filter(
                    account_id=account, email=found.recipient
                ):
                    sending.mark_bounced(subscriber, found.reason, hard=found.hard)
            elif isinstance(found, inbox.Reply):
                NewsletterInbound.objects.get_or_create(
                    account_id=account,
                    message_id=found.message_id,
                    defaults={
                        "sender": found.sender[:254],
                        "subject": found.subject,
                        "references": found.references,
                    },
                )
                root = found.references.split()[0] if found.references else found.message_id
                items.append(
                    NormalizedItem(
                        network=self.network,
                        external_id=found.message_id,
                        kind="message",
                        text=found.text,
                        created=found.created,
                        author_id=found.sender,
                        author_handle=found.sender,
                        author_name=found.name,
                        in_reply_to=found.in_reply_to,
                        conversation_id=root,
                    )
                )
        return items

    # --- measure -------------------------------------------------------------------

    def metrics(self) -> AccountMetrics:
        from harken.networks.newsletter.models import NewsletterSend, NewsletterSubscriber

        account = self.account_pk()
        status = NewsletterSubscriber.Status
        counts = NewsletterSubscriber.objects.filter(account_id=account).aggregate(
            confirmed=Count("pk", filter=Q(status=status.CONFIRMED)),
            pending=Count("pk", filter=Q(status=status.PENDING)),
            unsubscribed=Count("pk", filter=Q(status=status.UNSUBSCRIBED)),
            bounced=Count("pk", filter=Q(status=status.BOUNCED)),
            soft_bounces=Sum("soft_bounces", default=0),
        )
        sends = NewsletterSend.objects.filter(
            account_id=account, state=NewsletterSend.State.SENT
        ).count()
        return AccountMetrics(
            followers=counts["confirmed"], posts=None, extra={**counts, "sends": sends}
        )

    def post_metrics(self, post_id: str) -> dict[str, Any]:
        """An issue's deliveries; its clicks are its tracked links' own count."""
        from harken.networks.newsletter.models import NewsletterSend

        rows = NewsletterSend.objects.filter(account_id=self.account_pk(), issue=post_id)
        states = dict(rows.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        return {
            "sends": states.get(NewsletterSend.State.SENT, 0),
            "bounces": states.get(NewsletterSend.State.BOUNCED, 0),
            "failed": states.get(NewsletterSend.State.FAILED, 0),
        }
