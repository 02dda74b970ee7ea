"""What changed, in a few sentences written from the figures (no model, no guessing):
"Share of voice rose from 38 % to 44 %"; "Complaints about delivery doubled"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from harken.analytics.figures.change import Change

#: A relative change smaller than this is "about the same", not news.
STEADY = 0.05
#: Complaints about a phrase need this many now to be named.
COMPLAINTS_AT_LEAST = 3


@dataclass(frozen=True)
class Figure:
    """A named figure: "Share of voice", its change, and its unit ("%", "min", "")."""

    name: str
    change: Change


def _number(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0f} %"
    if unit == "min":
        return f"{value:.0f} min"
    return f"{value:,.0f}"


def sentence(figure: Figure) -> str | None:
    """One figure's change in words, or None when there is nothing to compare."""
    change, unit = figure.change, figure.change.unit
    if change.now is None or (not change.now and not change.before):
        return None
    now = _number(change.now, unit)
    if change.before is None:
        return f"{figure.name}: {now}."
    before = _number(change.before, unit)
    relative = change.relative
    steady = (unit == "%" and abs(change.delta or 0) < 1) or (
        unit != "%" and (relative is not None and abs(relative) < STEADY or change.delta == 0)
    )
    if steady:
        return f"{figure.name} held steady at {now}."
    verb = "rose" if (change.delta or 0) > 0 else "fell"
    if unit != "%" and relative is not None and relative >= 1:
        verb = _multiple(relative) or verb
        if verb != "rose":
            return f"{figure.name} {verb}, from {before} to {now}."
    return f"{figure.name} {verb} from {before} to {now}."


def _multiple(relative: float) -> str | None:
    factor = 1 + relative
    if 1.9 <= factor < 2.5:
        return "doubled"
    if 2.5 <= factor < 3.5:
        return "tripled"
    if factor >= 3.5:
        return f"grew {factor:.0f}-fold"
    return None


def complaints(now: dict[str, int], before: dict[str, int]) -> list[str]:
    """Phrases people complained about markedly more (negative mentions), the largest rise
    first: "Complaints about delivery doubled (from 4 to 9)"."""
    lines = []
    rising = sorted(now.items(), key=lambda kv: (-(kv[1] - before.get(kv[0], 0)), kv[0]))
    for phrase, count in rising:
        old = before.get(phrase, 0)
        if count < COMPLAINTS_AT_LEAST or count < 1.5 * old or count == old:
            continue
        if not old:
            lines.append(f"New complaints about “{phrase}”: {count}.")
            continue
        verb = _multiple((count - old) / old) or "rose"
        lines.append(f"Complaints about “{phrase}” {verb} (from {old} to {count}).")
    return lines[:3]


def summarise(figures: Iterable[Figure], complaint_lines: Iterable[str] = ()) -> list[str]:
    lines = [s for s in (sentence(f) for f in figures) if s]
    return lines + list(complaint_lines)
