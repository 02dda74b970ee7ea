from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from harken.api import schemas as s
from harken.api.operations import analytics as ops
from harken.api.routes.common import ERRORS, MAX_ID, caller_of

router = Router(tags=["analytics"])
DAY = r"^\d{4}-\d{2}-\d{2}$"


class Period(Schema):
    range: int | None = Field(
        default=None, ge=1, le=3660, description="Days up to today: 7, 28, 90 or 365"
    )
    start: str | None = Field(default=None, pattern=DAY)
    end: str | None = Field(default=None, pattern=DAY)
    compare: Literal["previous", "year", "none"] = "previous"
    network: str = Field(default="", max_length=32)
    topic: int | None = Field(default=None, ge=1, le=MAX_ID)


@router.get("/analytics/headlines", response={200: s.HeadlinesOut, **ERRORS})
def headlines(request: HttpRequest, period: Query[Period]) -> s.HeadlinesOut:
    """The dashboard's headline figures for a period, each with the compared period's."""
    scope, stats = ops.dashboard(caller_of(request), period.dict())
    before = scope.before
    return s.HeadlinesOut(
        first=scope.period.first,
        last=scope.period.last,
        compared_first=before.first if before else None,
        compared_last=before.last if before else None,
        problems=list(scope.problems),
        figures=[
            s.FigureOut(
                key=stat.key,
                label=stat.label,
                value=stat.value or 0.0,  # headlines() leaves out figures without one
                unit=stat.unit,
                before=stat.change.before,
                note=stat.note,
            )
            for stat in stats
        ],
    )
