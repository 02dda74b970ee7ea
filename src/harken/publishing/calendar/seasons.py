"""Shopping seasons, computed per year: the dates a store plans its posts around.

Each season is a span of days ending on (or around) its day. Mother's Day and Father's
Day fall on different days by country; the rest are the same everywhere the store sells
online. The after-Christmas sales run over the new year, as two spans (one per year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.easter import easter


@dataclass(frozen=True)
class Season:
    title: str
    first: date
    last: date


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (0 Monday) of the month; ``n`` = -1 is the last."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


#: Mother's Day where it is not the second Sunday of May.
MOTHERS_DAY_FIXED = {"MX": (5, 10), "SV": (5, 10), "GT": (5, 10), "TH": (8, 12)}
#: Countries that keep Mothering Sunday: three weeks before Easter.
MOTHERING_SUNDAY = {"GB", "IE"}
#: Countries whose Mother's Day is the last Sunday of May.
LAST_SUNDAY_OF_MAY = {"FR", "SE", "MA", "DZ", "TN", "DO"}
#: Where the school year starts in late January or February, not late summer.
SOUTHERN_SCHOOL_YEAR = {"AU", "NZ", "ZA", "BR", "AR", "CL"}


def mothers_day(year: int, country: str) -> date:
    if country in MOTHERING_SUNDAY:
        return easter(year) - timedelta(days=21)
    if country in MOTHERS_DAY_FIXED:
        month, day = MOTHERS_DAY_FIXED[country]
        return date(year, month, day)
    if country in LAST_SUNDAY_OF_MAY:
        return nth_weekday(year, 5, 6, -1)
    return nth_weekday(year, 5, 6, 2)


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November (US Thanksgiving)."""
    return nth_weekday(year, 11, 3, 4) + timedelta(days=1)


def fathers_day(year: int, country: str) -> date:
    if country in ("AU", "NZ"):
        return nth_weekday(year, 9, 6, 1)  # first Sunday of September
    if country in ("IT", "ES", "PT"):
        return date(year, 3, 19)  # St Joseph's Day
    if country == "DE":
        return easter(year) + timedelta(days=39)  # Ascension Day
    return nth_weekday(year, 6, 6, 3)


def seasons_of(year: int, country: str = "") -> list[Season]:
    """The shopping seasons of ``year`` for a store in ``country`` (ISO code, may be empty)."""
    country = country.upper()
    friday = black_friday(year)
    mothers = mothers_day(year, country)
    fathers = fathers_day(year, country)
    sunday = easter(year)
    if country in SOUTHERN_SCHOOL_YEAR:
        school = Season("Back to school", date(year, 1, 10), date(year, 2, 5))
    else:
        school = Season("Back to school", date(year, 7, 20), date(year, 9, 5))
    return [
        Season("After-Christmas sales", date(year, 1, 1), date(year, 1, 6)),
        Season("Valentine's season", date(year, 2, 1), date(year, 2, 13)),
        Season("Valentine's Day", date(year, 2, 14), date(year, 2, 14)),
        Season("Mother's Day gifts", mothers - timedelta(days=14), mothers - timedelta(days=1)),
        Season("Mother's Day", mothers, mothers),
        Season("Easter", sunday - timedelta(days=7), sunday),
        Season("Father's Day gifts", fathers - timedelta(days=10), fathers - timedelta(days=1)),
        Season("Father's Day", fathers, fathers),
        school,
        Season("Halloween", date(year, 10, 24), date(year, 10, 31)),
        Season("Black Friday", friday, friday),
        Season("Cyber Monday", friday + timedelta(days=3), friday + timedelta(days=3)),
        Season("Christmas shopping", friday + timedelta(days=1), date(year, 12, 24)),
        Season("After-Christmas sales", date(year, 12, 26), date(year, 12, 31)),
    ]
