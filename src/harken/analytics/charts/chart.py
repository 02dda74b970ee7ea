"""What a chart is: its picture, and the table it was drawn from."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape as _escape

from django.utils.safestring import SafeString, mark_safe

Cell = str | int | float | None

#: Colours as attributes, not classes: an e-mail or a PDF has no stylesheet.
PALETTE = {
    "accent": "#0e7490",
    "grey": "#9aa3b2",
    "light": "#cfd6de",
    "positive": "#05703f",
    "neutral": "#9aa3b2",
    "negative": "#b42318",
    "amber": "#b7791f",
    "ink": "#344052",
    "muted": "#5b6779",
    "line": "#e2e6ec",
}
SERIES_COLOURS = ("accent", "amber", "grey", "positive", "negative", "ink")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    colour: str = "accent"
    #: The last value is a day still under way (today): its segment is drawn dashed, so
    #: a morning's few mentions do not read as a collapse.
    partial_last: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    before: float | None = None
    colour: str = "accent"
    strong: bool = False


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    desc: str
    svg: SafeString
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows

    def table(self) -> SafeString:
        """The chart's figures as an HTML table (built here, not in a template: a year of
        days is thousands of cells, and the template engine took longer than the query).
        Every cell is escaped (``escaped``)."""
        head = "".join(f'<th scope="col">{escaped(c)}</th>' for c in self.columns)
        body = "".join(
            f'<tr><th scope="row">{escaped(show(row[0]))}</th>'
            + "".join(f'<td class="num">{escaped(show(c))}</td>' for c in row[1:])
            + "</tr>"
            for row in self.rows
        )
        return mark_safe(  # noqa: S308 - every piece above is escaped
            f"<table><caption>{escaped(self.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )


def escaped(value: object) -> str:
    """``conditional_escape`` without its lazy-string wrapper, which cost more than the
    escaping itself over a chart's thousands of labels and cells: safe HTML stays as it
    is, everything else is escaped."""
    html = getattr(value, "__html__", None)
    return str(html()) if html is not None else _escape(str(value))


def show(value: Cell) -> str:
    """A table cell: numbers grouped, at most one decimal; nothing as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
