"""What a chart is: its picture, and the table it was drawn from."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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
        days is thousands of cells, and the template engine took longer than the query)."""
        head = format_html_join("", '<th scope="col">{}</th>', ((c,) for c in self.columns))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html(
                        '<th scope="row">{}</th>{}',
                        show(row[0]),
                        format_html_join(
                            "", '<td class="num">{}</td>', ((show(c),) for c in row[1:])
                        ),
                    ),
                )
                for row in self.rows
            ),
        )
        return format_html(
            "<table><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            self.title,
            head,
            body,
        )


def show(value: Cell) -> str:
    """A table cell: numbers grouped, at most one decimal; nothing as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
