"""The forms of the post page and the client's review page (refused ones follow the PRG
pattern of ``harken.core.refused``)."""

from __future__ import annotations

from typing import Any

from django import forms

from harken.publishing.approvals.actions import COMMENT_MAX
from harken.publishing.approvals.review import DEFAULT_DAYS, MAX_DAYS, NAME_MAX


class ActionForm(forms.Form):
    """A button with nothing to fill in (submit, retry, revoke): it only carries the
    refusal's words back to where the button is."""


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write a comment first."},
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label="Note for the author (optional)", max_length=COMMENT_MAX, required=False
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label="What should change",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what should change, so the author knows what to do."},
    )


class OverrideForm(forms.Form):
    rule = forms.ChoiceField(label="Guideline")
    reason = forms.CharField(
        label="Reason",
        max_length=COMMENT_MAX,
        error_messages={"required": "Give a reason; the audit log keeps it."},
    )

    def __init__(self, *args: Any, rules: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = rules  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    days = forms.IntegerField(
        label="Open for (days)", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )


class ClientAnswerForm(forms.Form):
    """The client's answer on the review page."""

    name = forms.CharField(
        label="Your name",
        max_length=NAME_MAX,
        error_messages={"required": "Give your name, so the team knows who answered."},
    )
    comment = forms.CharField(
        label="Comment (needed when you request changes)",
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("changes", "Request changes")],
        widget=forms.HiddenInput,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "changes" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what should change.")
        return data
