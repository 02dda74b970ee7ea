"""Volume spikes and negative surges against a topic's own hourly baseline.

The baseline of an hour is the count in the *same hour of the day* on each of the 14
days before it (14 samples), not every hour of those days. Social traffic has a strong
daily rhythm: against an all-hours baseline every lunchtime peak and every evening
would look like a spike, night after night. The statistic is a robust z-score,
``(count − median) / (1.4826 × MAD)``: the median and the median absolute deviation
ignore the odd past spike, where a mean and standard deviation would be dragged up by
it and hide the next one.

Small businesses get few mentions, so the 14 samples are often mostly zero and the MAD
is 0. Then the scale falls back to 1.2533 × the mean absolute deviation (the usual
fallback for the modified z-score), and it is never below one mention. On top of that
a spike needs at least ``min_count`` mentions in the hour, so 0 → 2 is not a spike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

import numpy as np
from django.db.models import Count, Q
from django.db.models.functions import TruncHour

from harken.core.models import Workspace
from harken.listening.models import Mention, Topic

BASELINE_DAYS = 14
MAD_TO_SIGMA = 1.4826
MEAN_AD_TO_SIGMA = 1.2533
MIN_SCALE = 1.0
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class HourStats:
    """One hour's count against its baseline."""

    hour: dt.datetime
    count: int
    median: float
    scale: float
    z: float


def robust_z(count: float, history: list[int] | np.ndarray) -> tuple[float, float, float]:
    """(z, median, scale) of ``count`` against ``history``, as described in the module doc."""
    values = np.asarray(history, dtype=float)
    if values.size == 0:
        return 0.0, 0.0, MIN_SCALE
    median = float(np.median(values))
    deviations = np.abs(values - median)
    scale = MAD_TO_SIGMA * float(np.median(deviations))
    if scale == 0:
        scale = MEAN_AD_TO_SIGMA * float(np.mean(deviations))
    scale = max(scale, MIN_SCALE)
    return (count - median) / scale, median, scale


def hour_stats(
    workspace: Workspace, topic: Topic | None, hour: dt.datetime, *, negative: bool
) -> HourStats:
    """Count mentions in ``hour`` (UTC, on the hour) and score it against its 14 days."""
    hours = [hour - dt.timedelta(days=d) for d in range(BASELINE_DAYS + 1)]
    counts = _counts(workspace, topic, hours, negative=negative)
    history = [counts.get(h, 0) for h in hours[1:]]
    count = counts.get(hour, 0)
    z, median, scale = robust_z(count, history)
    return HourStats(hour=hour, count=count, median=median, scale=scale, z=z)


def _counts(
    workspace: Workspace, topic: Topic | None, hours: list[dt.datetime], *, negative: bool
) -> dict[dt.datetime, int]:
    # Only the 15 hours that matter are read (one index range each), not 14 whole days.
    windows = reduce(or_, (Q(posted__gte=h, posted__lt=h + HOUR) for h in hours))
    rows = Mention.objects.filter(
        windows, workspace=workspace, is_own=False, duplicate_of__isnull=True
    )
    if topic is not None:
        rows = rows.filter(topics=topic)
    if negative:
        rows = rows.filter(sentiment=Mention.Sentiment.NEGATIVE)
    grouped = (
        rows.annotate(hour=TruncHour("posted", tzinfo=dt.UTC))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["hour"]: row["n"] for row in grouped}


def floor_hour(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
