"""The stream's filters: one form that validates the query string and narrows a queryset."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import connection
from django.db.models import Q, QuerySet

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


class StreamFilter(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Search mentions", "aria-label": "Search"}
        ),
    )
    topic = forms.ModelChoiceField(queryset=Topic.objects.none(), required=False)
    # Free text shown as a select of the workspace's source networks: an imported file's
    # network has no source to list it, and listing every mention's network costs a scan.
    network = forms.SlugField(required=False, max_length=32)
    sentiment = forms.ChoiceField(
        required=False, choices=[("", "Any sentiment"), *Mention.Sentiment.choices]
    )
    intent = forms.ChoiceField(required=False, choices=[("", "Any intent"), *INTENTS])
    language = forms.CharField(required=False, max_length=8)
    author = forms.ModelChoiceField(
        queryset=Author.objects.none(), required=False, widget=forms.HiddenInput
    )
    reshares = forms.BooleanField(required=False, label="Show re-shares one by one")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, workspace: Any, networks: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        topics = cast(forms.ModelChoiceField, self.fields["topic"])
        topics.queryset = Topic.objects.filter(workspace=workspace)
        topics.empty_label = "Any topic"
        current = self.data.get("network", "") if self.is_bound else ""
        shown = sorted({*networks, current} - {""})
        self.fields["network"].widget = forms.Select(
            choices=[("", "Any network"), *((n, n) for n in shown)]
        )
        authors = cast(forms.ModelChoiceField, self.fields["author"])
        authors.queryset = Author.objects.filter(workspace=workspace)

    def apply(self, mentions: QuerySet[Mention]) -> QuerySet[Mention]:
        """``mentions`` narrowed by the valid filters (an invalid one is ignored)."""
        data = self.cleaned_data if self.is_valid() else {}
        exact = {
            "topics": data.get("topic"),
            "network": data.get("network"),
            "sentiment": data.get("sentiment"),
            "language": (data.get("language") or "").lower(),
            "author": data.get("author"),
            "posted__date__gte": data.get("since"),
            "posted__date__lte": data.get("until"),
        }
        mentions = mentions.filter(**{key: value for key, value in exact.items() if value})
        if not data.get("reshares"):
            # Near-duplicates are grouped under their first post: one voice, not many.
            mentions = mentions.filter(duplicate_of__isnull=True)
        if data.get("intent"):
            mentions = mentions.filter(_has_intent(data["intent"]))
        if data.get("q"):
            mentions = search(mentions, data["q"])
        return mentions


def _has_intent(intent: str) -> Q:
    # JSON list containment is not portable to SQLite; the quoted label is, and intents
    # are short fixed labels, so a substring of the stored JSON cannot match by accident.
    if connection.vendor == "postgresql":
        return Q(intents__contains=[intent])
    return Q(intents__icontains=f'"{intent}"')


def search(mentions: QuerySet[Mention], text: str) -> QuerySet[Mention]:
    """Full-text search on PostgreSQL; a plain substring search elsewhere."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(text, search_type="websearch", config="simple")
        return mentions.annotate(search=SearchVector("text", config="simple")).filter(search=query)
    return mentions.filter(text__icontains=text)
