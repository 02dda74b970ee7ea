"""Forms of the listening app."""

from __future__ import annotations

from django import forms

from harken.listening.models import Topic
from harken.listening.query import QueryError, parse

QUERY_HELP = (
    'Words, "exact phrases", #hashtags, @handles, OR, -excluded, (groups), '
    "lang:en, network:bluesky, from:handle. A trailing * matches the start of a word. "
    "On the Bluesky live stream, from: and @ match the author's Bluesky handle "
    "(from:shop.bsky.social), not the display name."
)


class TopicForm(forms.ModelForm):
    """A topic's name, kind and query; the query must parse before anything is saved."""

    class Meta:
        model = Topic
        fields = ["name", "kind", "query", "enabled"]
        widgets = {"query": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})}
        help_texts = {"query": QUERY_HELP}

    #: The parse error of the query, kept to show where it is (set by clean_query).
    query_error: QueryError | None = None

    def clean_query(self) -> str:
        query = self.cleaned_data["query"].strip()
        try:
            parse(query)
        except QueryError as error:
            self.query_error = error
            raise forms.ValidationError(error.message, code="query") from error
        return query
