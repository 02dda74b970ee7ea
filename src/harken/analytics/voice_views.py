"""The "Typical customer" page: the sentiment counted three ways, the segments behind the
weighted estimate, who Harken is not hearing from, and the customer base a manager enters.

Any member may look; entering the customer base and downloading an outreach list (names
and addresses) take a manager."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from urllib.parse import urlencode

from django import forms
from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from harken.analytics import voice
from harken.analytics.charts import Bar, Chart, bars
from harken.analytics.charts.csv import chart_csv, neutralised
from harken.analytics.models import CustomerBase
from harken.analytics.periods import COMPARISONS, RANGES, scope_from
from harken.analytics.segments import offered
from harken.analytics.views import AREAS
from harken.analytics.voice_load import STATUS, STATUS_LABELS, Typical, typical
from harken.contacts.models import Contact
from harken.core.access import WorkspaceRequest, check_role, scoped, workspace_view
from harken.core.models import Role
from harken.core.refused import bind, refused

AREA = "typical-customer"


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def three_ways(seen: Typical) -> Chart:
    """Negative and positive, one message one vote, one person one vote, and weighted."""
    items = [
        Bar("Neg. per message", _pct(seen.by_message.negative) or 0.0, colour="negative"),
        Bar("Neg. per person", _pct(seen.by_person.negative) or 0.0, colour="negative"),
        Bar(
            "Negative · weighted", _pct(seen.negative.value) or 0.0, colour="negative", strong=True
        ),
        Bar("Pos. per message", _pct(seen.by_message.positive) or 0.0, colour="positive"),
        Bar("Pos. per person", _pct(seen.by_person.positive) or 0.0, colour="positive"),
        Bar(
            "Positive · weighted", _pct(seen.positive.value) or 0.0, colour="positive", strong=True
        ),
    ]
    chart = bars(
        "typical-three-ways",
        "Sentiment counted three ways",
        f"{seen.by_message.votes} messages from {seen.by_person.votes} people: the share "
        "negative and positive per message, per person, and weighted to the customer base.",
        items,
        unit=" %",
    )
    rows = [
        ["Per message", _pct(seen.by_message.negative), _pct(seen.by_message.positive), None],
        ["Per person", _pct(seen.by_person.negative), _pct(seen.by_person.positive), None],
        [
            "Weighted to the customer base",
            _pct(seen.negative.value),
            _pct(seen.positive.value),
            _interval(seen.negative),
        ],
    ]
    return replace(
        chart, columns=["Counted", "Negative %", "Positive %", "95 % interval"], rows=rows
    )


def _interval(estimate: voice.Estimate) -> str | None:
    if estimate.low is None or estimate.high is None:
        return None
    return f"{estimate.low * 100:.0f}–{estimate.high * 100:.0f} %"


def segments_chart(seen: Typical) -> Chart:
    """Each segment's negative share (one person one vote), with its weight and voices."""
    segs = seen.negative.segments
    items = [
        Bar(s.name, _pct(s.split.negative) or 0.0, colour="negative" if s.trusted else "light")
        for s in segs
    ]
    chart = bars(
        "typical-segments",
        f"Negative by {seen.dimension}",
        "Each segment's share of unhappy people; pale bars rest on too few voices to trust.",
        items,
        unit=" %",
    )
    rows = [
        [s.name, _pct(s.weight), s.voices, _pct(s.split.negative) if s.voices else None]
        for s in segs
    ]
    columns = ["Segment", "Share of customers %", "People heard", "Negative %"]
    return replace(chart, columns=columns, rows=rows)


def suggestions(quiet: voice.Quiet) -> dict[str, str]:
    """Three ways to hear from a quiet segment: ask, survey, reach out."""
    who = quiet.segment if quiet.dimension != STATUS else quiet.segment.lower() + "s"
    question = (
        f"We'd love to hear from {who}: what's one thing we could do better for you? "
        "Reply here or send us a message."
    )
    return {
        "question": reverse("compose")
        + "?"
        + urlencode({"text": question, "category": "question"}),
        "survey": reverse("campaign_create") + "?" + urlencode({"name": f"Survey: {who}"}),
        "outreach": reverse("analytics_voice_outreach")
        + "?"
        + urlencode({"dimension": quiet.dimension, "segment": quiet.segment}),
    }


class CustomerBaseForm(forms.Form):
    dimension = forms.CharField(max_length=60)
    shares = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text='One segment a line: "25-34 = 30". Leave empty to use the imported contacts.',
    )

    def clean_shares(self) -> dict[str, float]:
        parsed: dict[str, float] = {}
        for line in self.cleaned_data["shares"].splitlines():
            if not line.strip():
                continue
            name, sep, number = line.rpartition("=")
            try:
                share = float(number.strip().rstrip("%"))
            except ValueError:
                share = -1.0
            if not sep or not name.strip() or not 0 < share <= 100:
                raise forms.ValidationError(
                    f'"{line.strip()[:60]}" is not "segment = share", a share from 0 to 100.'
                )
            parsed[name.strip()[:200]] = share
        if sum(parsed.values()) > 100.5:
            raise forms.ValidationError("The shares add up to more than 100 %.")
        return parsed


@workspace_view()
def page(request: WorkspaceRequest) -> HttpResponse:
    scope = scope_from(request.workspace, request.GET)
    for problem in scope.problems:
        flash.warning(request, problem)
    seen = typical(scope, request.GET.get("dimension", "")[:60])
    entered = CustomerBase.objects.filter(workspace=request.workspace, dimension=seen.dimension)
    if request.method == "POST":
        return _save_base(request, bind(request, CustomerBaseForm))
    form = bind(
        request,
        CustomerBaseForm,
        initial={
            "dimension": seen.dimension,
            "shares": "\n".join(f"{b.segment} = {b.share:g}" for b in entered.order_by("segment")),
        },
    )
    context = {
        "section": "analytics",
        "title": "Analytics · Typical customer",
        "area": AREA,
        "areas": [(key, name) for key, (name, _) in AREAS.items()],
        "scope": scope,
        "query": scope.query(),
        "ranges": RANGES,
        "comparisons": COMPARISONS,
        "seen": seen,
        "three_ways": three_ways(seen),
        "segments": segments_chart(seen),
        "segment_choices": offered(request.workspace),
        "quiet": [(q, suggestions(q)) for q in seen.quiet],
        "trust": voice.TRUST,
        "form": form,
        "may_edit": request.member.can(Role.MANAGER),
    }
    return render(request, "analytics/voice.html", context)


def _save_base(request: WorkspaceRequest, form: CustomerBaseForm) -> HttpResponse:
    """A manager's customer base for one dimension, replacing the one entered before."""
    check_role(request, Role.MANAGER)
    if not form.is_valid():
        return refused(request, form)
    dimension = form.cleaned_data["dimension"].strip()
    with transaction.atomic():
        CustomerBase.objects.filter(workspace=request.workspace, dimension=dimension).delete()
        CustomerBase.objects.bulk_create(
            CustomerBase(workspace=request.workspace, dimension=dimension, segment=k, share=v)
            for k, v in form.cleaned_data["shares"].items()
        )
    flash.success(request, f"Customer base by {dimension} saved.")
    return redirect(reverse("analytics_voice") + "?" + urlencode({"dimension": dimension}))


@workspace_view(Role.MANAGER)
def outreach(request: WorkspaceRequest) -> HttpResponse:
    """The contacts of one segment (name, e-mail, status) as CSV, to write to them."""
    dimension = request.GET.get("dimension", "")[:60]
    segment = request.GET.get("segment", "")[:200]
    contacts = scoped(request, Contact).filter(merged_into=None).order_by("name", "pk")
    chosen: list[Contact]
    if dimension == STATUS:
        status = {label: key for key, label in STATUS_LABELS.items()}.get(segment, segment)
        chosen = list(contacts.filter(status=status))
    else:
        chosen = [
            c
            for c in contacts
            if isinstance(c.segments, dict) and str(c.segments.get(dimension, "")) == segment
        ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "e-mail", "status", dimension or "segment"])
    for c in chosen:
        writer.writerow(
            [neutralised(v) for v in (c.name, c.email, c.get_status_display(), segment)]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="outreach.csv"'
    return response


@workspace_view()
def chart_download(request: WorkspaceRequest, key: str) -> HttpResponse:
    """One of the page's charts as CSV (formula cells neutralised)."""
    scope = scope_from(request.workspace, request.GET)
    seen = typical(scope, request.GET.get("dimension", "")[:60])
    charts = {"typical-three-ways": three_ways, "typical-segments": segments_chart}
    if key not in charts:
        raise Http404("No such chart")
    response = HttpResponse(chart_csv(charts[key](seen)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{request.workspace.slug}-{key}.csv"'
    return response
