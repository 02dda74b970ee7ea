"""What a chart is: its picture, and the table it was drawn from."""

from __future__ import annotations

from dataclasses import dataclass, field

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
