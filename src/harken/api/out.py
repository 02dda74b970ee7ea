"""Model rows as the API's schemas. Mention and author text is returned as stored: JSON
is not HTML, and the client escapes it where it shows it."""

from __future__ import annotations

from typing import Any

from harken.api import schemas as s
from harken.contacts.models import Contact
from harken.inbox.models import Conversation, Message
from harken.listening.models import Mention, Source, Topic
from harken.publishing.links.tracking import short_url
from harken.publishing.models import Campaign, Click, Link, Post, Variant


def mention_data(m: Mention) -> dict[str, Any]:
    """A mention as ``MentionOut``'s fields, in plain values: the listing sends these
    as they are (building and validating a schema per mention cost more than the page's
    queries); everything else goes through ``mention_out``."""
    author = m.author
    return {
        "id": m.pk,
        "network": m.network,
        "external_id": m.external_id,
        "kind": m.kind,
        "author": {
            "id": author.pk,
            "network": author.network,
            "handle": author.handle,
            "name": author.name,
            "followers": author.followers,
        },
        "text": m.text,
        "url": m.link,
        "posted": m.posted,
        "is_own": m.is_own,
        "language": m.language,
        "sentiment": m.sentiment,
        "intents": [str(i) for i in (m.intents or [])],
        "priority": m.priority,
        "priority_reasons": m.priority_reasons,
        "topics": [{"id": t.pk, "name": t.name} for t in m.topics.all()],
        "conversation_id": m.conversation_id,
        "duplicate_of_id": m.duplicate_of_id,
        "reshares": getattr(m, "duplicate_count", 0) or 0,
    }


def mention_out(m: Mention) -> s.MentionOut:
    return s.MentionOut(**mention_data(m))


def topic_out(t: Topic) -> s.TopicOut:
    return s.TopicOut(
        id=t.pk,
        name=t.name,
        kind=t.kind,
        query=t.query,
        enabled=t.enabled,
        created=t.created,
        mention_count=getattr(t, "mention_count", 0),
    )


def source_out(src: Source) -> s.SourceOut:
    return s.SourceOut(
        id=src.pk,
        name=src.name,
        kind=src.kind,
        network=src.network,
        enabled=src.enabled,
        poll_interval=src.poll_interval,
        next_poll=src.next_poll,
        last_success=src.last_success,
        last_error=src.last_error,
        last_error_at=src.last_error_at,
        failures=src.failures,
        items_24h=getattr(src, "items_24h", 0),
        skipped_last_day=src.skipped_last_day,
    )


def conversation_out(c: Conversation) -> s.ConversationOut:
    return s.ConversationOut(
        id=c.pk,
        network=c.network,
        status=c.status,
        assignee=c.assignee_id,
        subject_handle=c.subject_handle,
        priority=c.priority,
        priority_reasons=c.priority_reasons,
        intent=c.intent,
        sentiment=c.sentiment,
        tags=[s.TagOut(id=t.pk, name=t.name) for t in c.tags.all()],
        held=bool(getattr(c, "held", False)),
        first_message_at=c.first_message_at,
        first_response_at=c.first_response_at,
        resolved_at=c.resolved_at,
        last_activity=c.last_activity,
        snoozed_until=c.snoozed_until,
        waiting_since=c.waiting_since,
    )


def message_out(m: Message) -> s.MessageOut:
    return s.MessageOut(
        id=m.pk,
        is_note=m.is_note,
        text=m.text,
        state=m.state,
        hold_reason=m.hold_reason,
        error=m.error,
        url=m.link,
        author=m.author_id,
        created=m.created,
        sent_at=m.sent_at,
    )


def contact_out(c: Contact) -> s.ContactOut:
    segments: dict[str, Any] = c.segments if isinstance(c.segments, dict) else {}
    return s.ContactOut(
        id=c.pk,
        name=c.name,
        emails=[str(e) for e in (c.emails or [])],
        status=c.status,
        customer_since=c.customer_since,
        lifetime_value=str(c.lifetime_value) if c.lifetime_value is not None else None,
        tags=[str(t) for t in (c.tags or [])],
        notes=c.notes,
        segments={str(k): str(v) for k, v in segments.items()},
        identities=[s.IdentityOut(network=i.network, handle=i.handle) for i in c.identities.all()],
        created=c.created,
        updated=c.updated,
    )


def variant_out(v: Variant) -> s.VariantOut:
    return s.VariantOut(
        id=v.pk,
        account=v.account_id,
        network=v.account.network,
        handle=v.account.handle,
        text=v.text,
        state=v.state,
        scheduled_at=v.scheduled_at,
        published_at=v.published_at,
        url=v.url if v.url.lower().startswith(("https://", "http://")) else "",
        error=v.error,
    )


def post_out(p: Post) -> s.PostOut:
    return s.PostOut(
        id=p.pk,
        text=p.text,
        persona=p.persona,
        stage=p.stage,
        category=p.category,
        sponsored=p.sponsored,
        author=p.author_id,
        created=p.created,
        variants=[variant_out(v) for v in p.variants.all()],  # type: ignore[attr-defined]
    )


def campaign_out(c: Campaign) -> s.CampaignOut:
    return s.CampaignOut(
        id=c.pk,
        name=c.name,
        slug=c.slug,
        goal=c.goal,
        starts=c.starts,
        ends=c.ends,
        pledge_cents=c.pledge_cents,
        currency=c.currency,
        cap_cents=c.cap_cents,
        pledged_cents=c.pledged_cents,
        cap_reached=c.cap_reached,
        unique_clicks=getattr(c, "unique_clicks", 0),
        link_count=getattr(c, "link_count", 0),
        created=c.created,
    )


def link_out(link: Link) -> s.LinkOut:
    return s.LinkOut(
        id=link.pk,
        code=link.code,
        short_url=short_url(link),
        destination=link.destination,
        target=link.target,
        network=link.network,
        campaign=link.campaign_id,
        post=link.post_id,
        created=link.created,
        unique_clicks=getattr(link, "unique", 0),
        people_clicks=getattr(link, "people", 0),
        bot_clicks=getattr(link, "bots", 0),
    )


def click_out(click: Click) -> s.ClickOut:
    return s.ClickOut(
        id=click.pk,
        link=click.link_id,
        campaign=click.link.campaign_id,
        at=click.at,
        day=click.day,
        network=click.network,
        referrer=click.referrer,
        is_bot=click.is_bot,
        unique_of_day=click.unique_of_day,
        pledged=click.pledged,
    )
