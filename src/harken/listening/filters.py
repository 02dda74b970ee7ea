"""The stream's filters: one form that validates the query string and narrows a queryset."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Func, Q, QuerySet, TextField, Value
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from harken.listening.models import Author, Mention, Topic

#: The analysis app's intent labels (harken.analysis.intents), with words for people.
INTENTS = [
    ("question", "Question"),
    ("complaint", "Complaint"),
    ("praise", "Praise"),
    ("purchase_intent", "Purchase intent"),
    ("job_seeker", "Job seeker"),
    ("spam", "Spam"),
    ("other", "Other"),
]


#: The days a "From" or "To" may name: wide enough for any archive, narrow enough that
#: midnight of the day after, in any time zone, is still a date the databases can hold.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)
_DAY_RANGE = "Choose a day from 1900 to 9998."
_DAY_VALIDATORS = [
    MinValueValidator(FIRST_DAY, message=_DAY_RANGE),
    MaxValueValidator(LAST_DAY, message=_DAY_RANGE),
]

#: The largest id a database integer column holds (a larger one is no mention's).
MAX_ID = 2**63 - 1
_NOT_AN_ID = {
    "invalid": "This is not a mention's number.",
    "min_value": "This is not a mention's number.",
    "max_value": "This is not a mention's number.",
}

#: The filters of the panel, in the order their summaries are shown.
PANEL = ("topic", "network", "sentiment", "intent", "language", "since", "until", "reshares")
#: Where the stream's page starts: not filters, but checked as strictly as they are.
ANCHORS = ("newer", "before")


class QuickSelect(forms.Select):
    """A ``<select>`` drawn in Python, the same markup as Django's.

    Django draws a select through its form templates, one template per option: 0.4 to
    1 ms a select, 3 ms for the stream's four, which are drawn on every stream request.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option), " selected" if str(option) in chosen else "", words)
                for option, words in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class QuickInput(Input):
    """An ``<input>`` drawn in Python, the same markup as Django's (see QuickSelect)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            name,
            format_html(' value="{}"', shown) if shown is not None else "",
            flatatt(widget["attrs"]),
        )


class QuickTextInput(QuickInput, forms.TextInput):
    pass


class QuickDateInput(QuickInput, forms.DateInput):
    pass


class QuickHiddenInput(QuickInput, forms.HiddenInput):
    pass


class QuickCheckbox(QuickInput, forms.CheckboxInput):
    pass


class StreamFilter(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=QuickTextInput(
            attrs={"type": "search", "placeholder": "Search mentions", "aria-label": "Search"}
        ),
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.none(), required=False, widget=QuickSelect
    )
    # Free text shown as a select of the workspace's source networks: an imported file's
    # network has no source to list it, and listing every mention's network costs a scan.
    network = forms.SlugField(required=False, max_length=32)
    sentiment = forms.ChoiceField(
        required=False,
        choices=[("", "Any sentiment"), *Mention.Sentiment.choices],
        widget=QuickSelect,
    )
    intent = forms.ChoiceField(
        required=False, choices=[("", "Any intent"), *INTENTS], widget=QuickSelect
    )
    language = forms.CharField(required=False, max_length=8)
    author = forms.ModelChoiceField(
        queryset=Author.objects.none(), required=False, widget=QuickHiddenInput
    )
    reshares = forms.BooleanField(
        required=False, label="Show re-shares one by one", widget=QuickCheckbox
    )
    since = forms.DateField(
        required=False,
        label="From",
        widget=QuickDateInput(attrs={"type": "date"}),
        validators=_DAY_VALIDATORS,
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=QuickDateInput(attrs={"type": "date"}),
        validators=_DAY_VALIDATORS,
    )
    # The poll for arrivals (mentions stored after this id) and "load more" (mentions
    # after this one in the stream's order).
    newer = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        label="New arrivals",
        error_messages=_NOT_AN_ID,
    )
    before = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_ID,
        label="Load more",
        error_messages=_NOT_AN_ID,
    )

    def __init__(self, *args: Any, workspace: Any, networks: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        topics = cast(forms.ModelChoiceField, self.fields["topic"])
        topics.queryset = Topic.objects.filter(workspace=workspace)
        topics.empty_label = "Any topic"
        current = self.data.get("network", "") if self.is_bound else ""
        shown = sorted({*networks, current} - {""})
        self.fields["network"].widget = QuickSelect(
            choices=[("", "Any network"), *((n, n) for n in shown)]
        )
        authors = cast(forms.ModelChoiceField, self.fields["author"])
        authors.queryset = Author.objects.filter(workspace=workspace)

    def apply(self, mentions: QuerySet[Mention]) -> QuerySet[Mention]:
        """``mentions`` narrowed by the valid filters.

        A field that does not validate is left out and keeps its message (shown beside it);
        the other filters, the search among them, still apply.
        """
        data = self.valid_data()
        exact = {
            "topics": data.get("topic"),
            "network": data.get("network"),
            "sentiment": data.get("sentiment"),
            "language": (data.get("language") or "").lower(),
            "author": data.get("author"),
        }
        mentions = mentions.filter(**{key: value for key, value in exact.items() if value})
        mentions = _between_local_days(mentions, data.get("since"), data.get("until"))
        if not data.get("reshares"):
            # Near-duplicates are grouped under their first post: one voice, not many.
            mentions = mentions.filter(duplicate_of__isnull=True)
        if data.get("intent"):
            mentions = mentions.filter(_has_intent(data["intent"]))
        if data.get("q"):
            mentions = search(mentions, data["q"])
        return mentions

    def valid_data(self) -> dict[str, Any]:
        """The fields that validated (Django drops an invalid field from cleaned_data)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # runs the validation once; errors stay on the form
        return dict(self.cleaned_data)

    def active(self) -> list[tuple[str, str]]:
        """The panel's filters in use, each as (field name, what it keeps in words)."""
        data = self.valid_data()
        words = {
            "topic": lambda topic: f"Topic: {topic.name}",
            "network": lambda network: f"Network: {network}",
            "sentiment": lambda value: f"Sentiment: {_choice(Mention.Sentiment.choices, value)}",
            "intent": lambda value: f"Intent: {_choice(INTENTS, value)}",
            "language": lambda language: f"Language: {language}",
            "since": lambda day: f"From {day.isoformat()}",
            "until": lambda day: f"To {day.isoformat()}",
            "reshares": lambda _: "Re-shares one by one",
        }
        return [(name, words[name](data[name])) for name in PANEL if data.get(name)]

    def searched(self) -> bool:
        """Whether anything narrows the stream: a search, an author or a panel filter."""
        data = self.valid_data()
        return bool(
            data.get("q")
            or data.get("author")
            or any(data.get(name) for name in PANEL if name != "reshares")
        )


def _choice(choices: list[tuple[str, str]], value: str) -> str:
    return dict(choices).get(value, value)


def _between_local_days(
    mentions: QuerySet[Mention], since: dt.date | None, until: dt.date | None
) -> QuerySet[Mention]:
    # Days are the workspace's (the active time zone); compared as a range on ``posted``
    # rather than with __date, so the (workspace, posted) index still serves the page.
    if since:
        mentions = mentions.filter(posted__gte=_local_midnight(since))
    if until:
        mentions = mentions.filter(posted__lt=_local_midnight(until + dt.timedelta(days=1)))
    return mentions


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _has_intent(intent: str) -> Q:
    # JSON list containment is not portable to SQLite; the quoted label is, and intents
    # are short fixed labels, so a substring of the stored JSON cannot match by accident.
    if connection.vendor == "postgresql":
        return Q(intents__contains=[intent])
    return Q(intents__icontains=f'"{intent}"')


# --- search ------------------------------------------------------------------------------

#: A search term: a "quoted phrase" or a run of non-space characters, maybe with a leading -.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


@dataclass(frozen=True)
class SearchTerms:
    """What the search box asks for: every ``include`` and none of the ``exclude``."""

    include: list[str]
    exclude: list[str]


def parse_search(text: str) -> SearchTerms:
    """Words and "quoted phrases" must all appear; a -word or -"phrase" must not.

    Each term is matched as a substring in any case: "fligh" finds "flight", "refund"
    finds "refunds" and "Refunded".
    """
    include: list[str] = []
    exclude: list[str] = []
    for match in _TERM.finditer(text):
        minus, phrase, word = match.groups()
        term = " ".join((phrase if phrase is not None else word).split())
        if term in ("", "-"):
            continue
        (exclude if minus else include).append(term)
    return SearchTerms(include=include, exclude=exclude)


class SearchText(Func):
    """A mention's text lowercased the same way on every backend (Unicode, not ASCII only).

    PostgreSQL's lower() follows the database's character type (UTF-8 here); SQLite's
    built-in lower() knows ASCII only, so SQLite calls Python's ``str.lower`` instead.
    """

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        register_sqlite_lower(connection)
        return super().as_sql(compiler, connection, function=SQLITE_LOWER, **extra)


SQLITE_LOWER = "harken_lower"


def _lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def register_sqlite_lower(connection: Any, **kwargs: Any) -> None:
    """Give a SQLite connection ``harken_lower`` (also run for each new connection)."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    connection.connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)


connection_created.connect(register_sqlite_lower)


def search(mentions: QuerySet[Mention], text: str) -> QuerySet[Mention]:
    """Mentions whose text holds every term of ``text`` and none of its -terms.

    The same rule on PostgreSQL and SQLite: case-insensitive substring, Unicode lowercase.
    """
    terms = parse_search(text)
    if not terms.include and not terms.exclude:
        return mentions
    mentions = mentions.annotate(search_text=SearchText("text"))
    for term in terms.include:
        mentions = mentions.filter(search_text__contains=_lowered(term))
    for term in terms.exclude:
        mentions = mentions.exclude(search_text__contains=_lowered(term))
    return mentions


def _lowered(term: str) -> SearchText:
    # Lowered by the database with the same function as the text (Python's lower() and
    # PostgreSQL's differ on a few letters, such as a final Greek sigma). Django escapes
    # the LIKE wildcards of an expression too: "50%" and "_" are plain characters.
    return SearchText(Value(term))
