"""The stream's mention cards, drawn in Python rather than by the template engine.

A stream page draws 25 to 50 cards per request, and each of the stream's visitors asks
again every time the page is opened. Drawn by a template, a card cost about 0.25 ms of
CPU (some 30 variable look-ups, each resolved, localised and escaped one by one, and as
many ``{% if %}``): 13 ms of a 50-card page, more than all its queries together. Built
here with f-strings, the same markup costs about 0.07 ms a card, more than half of it
ui's ``when`` (``format_html`` and Django's ``escape`` spend most of their time checking
for lazy strings, which a card never holds; the standard library's escape does not).

Every value that comes from a mention or its author is attacker-controlled: each one goes
through ``_e()`` (the standard library's ``html.escape``, quotes included) on its way in;
only this module's own constant markup and ui's ``when`` (escaped there) are not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from harken.core.templatetags.ui import label, language, when
from harken.listening.filters import INTENTS
from harken.listening.models import Mention

#: A text longer than this shows its first ``SHOWN`` characters and the rest on request.
LONG = 700
SHOWN = 600
#: A priority from which the badge is marked urgent.
URGENT = 70
INTENT_LABELS = dict(INTENTS)
SENTIMENTS = dict(Mention.Sentiment.choices)


class CardAuthor(NamedTuple):
    """What a card says of its author."""

    handle: str
    followers: int | None


#: An author gone between the two queries (deleted with its workspace's data).
UNKNOWN = CardAuthor("unknown", None)


@dataclass(frozen=True)
class CardOptions:
    """What every card of a page shares: links, and whether the reader may correct."""

    stream_url: str
    correct_url: str  # with ``{pk}`` for the mention's id
    can_correct: bool


def render_cards(
    mentions: Iterable[Mention],
    authors: dict[int, CardAuthor],
    topics: dict[int, list[str]],
    options: CardOptions,
) -> SafeString:
    """The cards of ``mentions`` in order: ``authors`` by id, ``topics`` names by mention id.

    Each mention needs the ``duplicate_count`` annotation of ``stream_mentions``.
    """
    correction = _correction_buttons() if options.can_correct else ""
    return mark_safe(  # noqa: S308 - every value below went through _e() or is our own markup
        "".join(
            _card(m, authors.get(m.author_id, UNKNOWN), topics.get(m.pk, ()), options, correction)
            for m in mentions
        )
    )


def _e(value: object) -> str:
    """``value`` escaped for HTML text and quoted attributes (& < > " ')."""
    return escape(str(value), quote=True)


def _card(
    m: Mention,
    author: CardAuthor,
    topics: Iterable[str],
    options: CardOptions,
    correction: str,
) -> str:
    return (
        f'\n<article class="mention{" own" if m.is_own else ""}" id="mention-{m.pk}">\n'
        f"<header>{_header(m, author, options)}</header>\n{_stars(m)}{_text(m.text)}\n"
        f"<footer>{_footer(m, topics, options, correction)}</footer>\n</article>"
    )


def _header(m: Mention, author: CardAuthor, options: CardOptions) -> str:
    parts = [
        f'<a href="{_e(options.stream_url)}?author={m.author_id}" class="author">'
        f"@{_e(author.handle)}</a>"
    ]
    if author.followers is not None:
        parts.append(
            '<span class="muted" title="Followers: the author&#x27;s reach">'
            f"{author.followers:,} followers</span>"
        )
    parts.append(f'<span class="muted">· {_e(label(m.network))} ·</span>')
    time = str(when(m.posted))  # ui's own <time> element, escaped there
    link = m.link
    if link:
        time = f'<a href="{_e(link)}" rel="noopener noreferrer nofollow" target="_blank">{time}</a>'
    parts.append(time)
    if m.is_own:
        parts.append('<span class="badge">our answer</span>')
    return " ".join(parts)


def _stars(m: Mention) -> str:
    """A review's stars above its text (nothing for a mention without a rating)."""
    stars = m.stars
    if not stars:
        return ""
    return (
        f'<p class="stars" role="img" aria-label="Rated {_e(m.rating)} of 5 stars">{_e(stars)} '
        f'<span class="muted">{_e(m.rating)}/5</span></p>\n'
    )


def _text(text: str) -> str:
    if len(text) <= LONG:
        return f'<p class="text">{_lines(text)}</p>'
    return (
        f'<p class="text">{_lines(Truncator(text).chars(SHOWN))}</p>\n'
        f'<details class="more"><summary>Show all {len(text):,} characters</summary>'
        f'<p class="text">{_lines(text)}</p></details>'
    )


def _lines(text: str) -> str:
    """``text`` escaped, its line breaks as <br> (the template filter linebreaksbr)."""
    return _e(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _footer(m: Mention, topics: Iterable[str], options: CardOptions, correction: str) -> str:
    badges: list[str] = []
    if m.language:
        badges.append(
            f'<span class="badge" title="{_e(language(m.language))}">{_e(m.language)}</span>'
        )
    if m.sentiment:
        words = SENTIMENTS.get(m.sentiment, m.sentiment)
        badges.append(f'<span class="badge {_e(m.sentiment)}" title="Sentiment">{_e(words)}</span>')
    badges.extend(
        f'<span class="badge intent">{_e(INTENT_LABELS.get(i) or label(i))}</span>'
        for i in m.intents or ()
    )
    if m.priority:
        urgent = " warn" if m.priority >= URGENT else ""
        reasons = _e(m.priority_reasons or "Priority")
        badges.append(f'<span class="badge{urgent}" title="{reasons}">priority {m.priority}</span>')
    badges.extend(f'<span class="badge topic">{_e(name)}</span>' for name in topics)
    shares = getattr(m, "duplicate_count", 0)
    if shares:
        badges.append(
            '<span class="muted" title="The same text re-shared or cross-posted">'
            f"+{shares} re-share{'' if shares == 1 else 's'}</span>"
        )
    if correction:
        badges.append(
            '<details class="correct"><summary>Correct</summary>'
            f'<form class="correct-buttons" hx-post="{_e(options.correct_url.format(pk=m.pk))}" '
            f'hx-target="#mention-{m.pk}" hx-swap="outerHTML">{correction}</form></details>'
        )
    return " ".join(badges)


@cache
def _correction_buttons() -> str:
    """One button per sentiment and intent, each posting its field and value
    (``sentiment=negative``): the same for every card, so built once."""
    choices = [("sentiment", *choice) for choice in Mention.Sentiment.choices]
    choices += [("intent", *choice) for choice in INTENTS]
    return "".join(
        f'<button name="{field}" value="{_e(value)}" class="secondary outline">{_e(words)}</button>'
        for field, value, words in choices
    )
