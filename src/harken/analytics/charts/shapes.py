"""The chart shapes: line over time, bars, stacked bars, heatmap, funnel.

Each returns a ``Chart``; the SVG is built with ``tag`` (every label escaped),
sized by a viewBox so the page can stretch it, and titled (``<title>``, ``<desc>``,
``aria-labelledby``) so a screen reader names it."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from harken.analytics.charts.chart import PALETTE, Bar, Cell, Chart, Series, escaped

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 14, 32
#: Text is sized for a chart drawn half a desktop wide; on a phone it is still legible.
FONT_SIZE = 15
BARS_WIDTH = 400
#: How far past its own width the page may stretch a chart (its text grows with it).
STRETCH = 1.4
FONT = "-apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def _safe(value: object) -> object:
    return value if isinstance(value, (int, float)) else escaped(value)


def tag(template: str, *args: object, **kwargs: object) -> SafeString:
    """``format_html`` that keeps numbers numbers, so ``{:.1f}`` formats them: every
    other argument (every label) is escaped."""
    return mark_safe(  # noqa: S308 - every argument is escaped or a number
        template.format(*map(_safe, args), **{k: _safe(v) for k, v in kwargs.items()})
    )


def joined(parts: Sequence[str]) -> SafeString:
    """Pieces built by ``tag`` joined into one; a plain string among them (one that did not
    come from ``tag``) is escaped, so a label can never reach the SVG raw."""
    return mark_safe("".join(escaped(part) for part in parts))  # noqa: S308


def colour(name: str) -> str:
    return PALETTE.get(name, PALETTE["accent"])


def nice_max(value: float) -> float:
    """A round top for an axis at or above ``value`` (1, 2, 2.5, 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def tick_step(top: float) -> float:
    """A round step that cuts an axis of ``top`` (a ``nice_max``) into at most five:
    0, 5, 10 … 25 mentions rather than 6.2, 12.5, 18.8."""
    power = 10 ** math.floor(math.log10(top / 5))
    for step in (1, 2, 2.5, 5, 10):
        size = step * power
        parts = top / size
        if size >= top / 5 - 1e-9 and abs(parts - round(parts)) < 1e-9:
            return size
    return top / 4


def number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"


def _frame(
    key: str,
    title: str,
    desc: str,
    body: SafeString,
    height: int = HEIGHT,
    width: int = WIDTH,
    size: int = FONT_SIZE,
    stretch: float = STRETCH,
) -> SafeString:
    # The page stretches a chart to its panel's width, but only so far: a half-page
    # chart stretched across a full-width panel shouts its labels at twice their size.
    return tag(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-labelledby="{k}-t" aria-describedby="{k}-d" '
        'class="chart-svg" style="max-width:{m}px" font-family="{f}" font-size="{s}">'
        '<title id="{k}-t">{t}</title><desc id="{k}-d">{d}</desc>{b}</svg>',
        w=width,
        m=round(width * stretch),
        h=height,
        s=size,
        k=key,
        f=FONT,
        t=title,
        d=desc,
        b=body,
    )


def _axes(top: float, labels: Sequence[str], unit: str = "") -> SafeString:
    """Horizontal grid lines with their values, and a few of the x labels."""
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    step = tick_step(top)
    for n in range(round(top / step) + 1):
        value = step * n
        y = TOP + plot_h - plot_h * value / top
        parts.append(
            tag(
                '<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="{}"/>'
                '<text x="{}" y="{:.1f}" text-anchor="end" fill="{}">{}{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                PALETTE["line"],
                LEFT - 6,
                y + 4,
                PALETTE["muted"],
                number(value),
                unit,
            )
        )
    for index in _label_positions(len(labels)):
        parts.append(
            tag(
                '<text x="{:.1f}" y="{}" text-anchor="{}" fill="{}">{}</text>',
                _x(index, len(labels)),
                HEIGHT - 8,
                "start" if index == 0 else "end" if index == len(labels) - 1 else "middle",
                PALETTE["muted"],
                labels[index],
            )
        )
    return joined(parts)


def _label_positions(count: int) -> list[int]:
    if count <= 1:
        return list(range(count))
    steps = min(count - 1, 4)
    return sorted({round(n * (count - 1) / steps) for n in range(steps + 1)})


def _x(index: int, count: int) -> float:
    plot_w = WIDTH - LEFT - RIGHT
    return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)


def _y(value: float, top: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return TOP + plot_h - plot_h * value / top


def line(
    key: str, title: str, desc: str, labels: list[str], series: list[Series], unit: str = ""
) -> Chart:
    """Lines over time; a missing value (None) breaks the line instead of dropping to 0."""
    values = [v for s in series for v in s.values if v is not None]
    top = nice_max(max(values, default=0))
    paths = []
    for s in series:
        runs: list[list[str]] = [[]]
        for index, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{_x(index, len(labels)):.1f},{_y(value, top):.1f}")
        if s.partial_last and len(runs[-1]) >= 2 and s.values[-1] is not None:
            # Today's point joins the line by a dashed segment of its own.
            last = runs[-1][-2:]
            runs[-1] = runs[-1][:-1]
            paths.append(
                tag(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
                    'stroke-dasharray="4 4"><title>{} (today, so far)</title></polyline>',
                    " ".join(last),
                    colour(s.colour),
                    s.name,
                )
            )
        for run in runs:
            if len(run) == 1:
                x, y = run[0].split(",")
                paths.append(
                    tag('<circle cx="{}" cy="{}" r="2.5" fill="{}"/>', x, y, colour(s.colour))
                )
            elif run:
                paths.append(
                    tag(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
                        'stroke-linejoin="round"><title>{}</title></polyline>',
                        " ".join(run),
                        colour(s.colour),
                        s.name,
                    )
                )
    legend, height = _legend(series)
    body = _axes(top, labels, unit) + joined(paths) + legend
    rows: list[list[Cell]] = [
        [label, *[s.values[i] for s in series]] for i, label in enumerate(labels)
    ]
    names = ["", *[s.name for s in series]]
    return Chart(key, title, desc, _frame(key, title, desc, body, height), names, rows)


#: Width of a legend entry's swatch and gap, and a character's width, at ``FONT_SIZE``.
SWATCH, CHAR_W, LEGEND_ROW = 22, 8.2, 24


def _legend(series: list[Series]) -> tuple[SafeString, int]:
    """Which colour is which series, under the chart (two or more series: one needs no
    key), wrapped to the chart's width; returns it and the chart's height with it."""
    if len(series) < 2:
        return mark_safe(""), HEIGHT
    parts, x, row = [], 0.0, 0
    for s in series:
        width = SWATCH + CHAR_W * len(s.name) + 16
        if x and x + width > WIDTH:
            x, row = 0.0, row + 1
        y = HEIGHT + 6 + row * LEGEND_ROW
        parts.append(
            tag(
                '<rect x="{:.1f}" y="{}" width="14" height="14" rx="2" fill="{}"/>'
                '<text x="{:.1f}" y="{}" fill="{}">{}</text>',
                x,
                y,
                colour(s.colour),
                x + SWATCH,
                y + 12,
                PALETTE["ink"],
                s.name,
            )
        )
        x += width
    return joined(parts), HEIGHT + 8 + (row + 1) * LEGEND_ROW


def stacked(key: str, title: str, desc: str, labels: list[str], series: list[Series]) -> Chart:
    """Columns per label (a day), each split between the series (sentiments)."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = nice_max(max(totals, default=0))
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(labels), 1)
    width = max(1.0, slot * 0.72)
    parts = []
    for index, label in enumerate(labels):
        base = 0.0
        x = LEFT + slot * index + (slot - width) / 2
        for s in series:
            value = s.values[index] or 0
            if not value:
                continue
            y_top, y_base = _y(base + value, top), _y(base, top)
            parts.append(
                tag(
                    '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    x,
                    y_top,
                    width,
                    y_base - y_top,
                    colour(s.colour),
                    label,
                    number(value),
                    s.name.lower(),
                )
            )
            base += value
    legend, height = _legend(series)
    body = _axes(top, [""] * len(labels)) + _stacked_labels(labels, slot)
    body += joined(parts) + legend
    rows: list[list[Cell]] = [
        [label, *[s.values[i] for s in series]] for i, label in enumerate(labels)
    ]
    names = ["", *[s.name for s in series]]
    return Chart(key, title, desc, _frame(key, title, desc, body, height), names, rows)


def _stacked_labels(labels: list[str], slot: float) -> SafeString:
    return joined(
        [
            tag(
                '<text x="{:.1f}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                LEFT + slot * i + slot / 2,
                HEIGHT - 8,
                PALETTE["muted"],
                labels[i],
            )
            for i in _label_positions(len(labels))
        ]
    )


def bars(
    key: str,
    title: str,
    desc: str,
    items: list[Bar],
    unit: str = "",
    columns: list[str] | None = None,
) -> Chart:
    """Horizontal bars, one a row, with a mark where the previous period stood."""
    row_h, label_w, value_w, width = 32, 150, 72, BARS_WIDTH
    height = max(row_h * len(items) + 8, 36)
    top = nice_max(max([b.value for b in items] + [b.before or 0 for b in items], default=0))
    track = width - label_w - value_w - 8
    parts = []
    for index, bar in enumerate(items):
        y = 6 + index * row_h
        filled = track * bar.value / top
        parts.append(
            tag(
                '<text x="0" y="{}" fill="{}" font-weight="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="14" rx="3" fill="{}"/>'
                '<rect x="{}" y="{}" width="{:.1f}" height="14" rx="3" fill="{}">'
                "<title>{}: {}{}</title></rect>"
                '<text x="{}" y="{}" text-anchor="end" fill="{}" font-weight="600">{}{}</text>',
                y + 16,
                PALETTE["ink"],
                "600" if bar.strong else "400",
                _clip(bar.label),
                label_w,
                y + 4,
                track,
                "#f1f3f6",
                label_w,
                y + 4,
                filled,
                colour(bar.colour),
                bar.label,
                number(bar.value),
                unit,
                width,
                y + 16,
                PALETTE["ink"],
                number(bar.value),
                unit,
            )
        )
        if bar.before is not None:
            mark = label_w + track * bar.before / top
            parts.append(
                tag(
                    '<line x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}" stroke="{}" stroke-width="2">'
                    "<title>Before: {}{}</title></line>",
                    mark,
                    mark,
                    y,
                    y + 20,
                    PALETTE["ink"],
                    number(bar.before),
                    unit,
                )
            )
    body = joined(parts)
    has_before = any(b.before is not None for b in items)
    header = columns or (["", "Now", "Before"] if has_before else ["", "Value"])
    rows: list[list[Cell]] = [
        [b.label, b.value, b.before] if has_before else [b.label, b.value] for b in items
    ]
    # Bars carry larger text (14): they stretch less.
    svg = _frame(key, title, desc, body, height, width, 14, stretch=1.15)
    return Chart(key, title, desc, svg, header, rows)


def _clip(label: str, limit: int = 17) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def heatmap(
    key: str,
    title: str,
    desc: str,
    row_labels: list[str],
    column_labels: list[str],
    values: list[list[float | None]],
    counts: list[list[int]],
    count_noun: str = "posts",
) -> Chart:
    """A grid whose darker cells hold more; each cell's title says what it rests on."""
    left, top_pad = 44, 22
    cell_w = (WIDTH - left) / max(len(column_labels), 1)
    cell_h = 24
    height = top_pad + cell_h * len(row_labels) + 4
    peak = max((v for row in values for v in row if v is not None), default=0) or 1
    parts = []
    for c, label in enumerate(column_labels):
        if c % 3 == 0:
            parts.append(
                tag(
                    '<text x="{:.1f}" y="15" text-anchor="middle" fill="{}">{}</text>',
                    left + cell_w * c + cell_w / 2,
                    PALETTE["muted"],
                    label,
                )
            )
    for r, label in enumerate(row_labels):
        y = top_pad + r * cell_h
        parts.append(tag('<text x="0" y="{}" fill="{}">{}</text>', y + 17, PALETTE["muted"], label))
        for c, value in enumerate(values[r]):
            shade = 0.06 + 0.94 * (value or 0) / peak if value is not None else 0.0
            parts.append(
                tag(
                    '<rect x="{:.1f}" y="{}" width="{:.1f}" height="{}" rx="2" fill="{}" '
                    'fill-opacity="{:.2f}" stroke="#fff"><title>{} {}: {} ({} {})</title></rect>',
                    left + c * cell_w,
                    y,
                    cell_w,
                    cell_h,
                    PALETTE["accent"] if value is not None else "#f1f3f6",
                    shade if value is not None else 1,
                    label,
                    column_labels[c],
                    number(value) if value is not None else "no data",
                    counts[r][c],
                    count_noun,
                )
            )
    body = joined(parts)
    rows: list[list[Cell]] = [
        [row_labels[r], column_labels[c], values[r][c], counts[r][c]]
        for r in range(len(row_labels))
        for c in range(len(column_labels))
        if counts[r][c]
    ]
    return Chart(
        key,
        title,
        desc,
        _frame(key, title, desc, body, height, WIDTH, 13),
        ["Day", "Hour", "Value", count_noun.capitalize()],
        rows,
    )


def funnel(key: str, title: str, desc: str, stages: list[tuple[str, float]]) -> Chart:
    """Stages narrowing left to right, each with its share of the first."""
    first = stages[0][1] if stages and stages[0][1] else 0
    slot = WIDTH / max(len(stages), 1)
    height = 150
    parts = []
    for index, (label, value) in enumerate(stages):
        share = value / first if first else 0
        bar_h = max(4.0, 100 * share)
        x = index * slot + 6
        parts.append(
            tag(
                '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" rx="4" fill="{}" '
                'fill-opacity="{:.2f}"><title>{}: {}</title></rect>'
                '<text x="{:.1f}" y="{}" fill="{}" font-weight="600">{}</text>'
                '<text x="{:.1f}" y="{}" fill="{}">{} · {:.0f} %</text>',
                x,
                110 - bar_h,
                slot - 12,
                bar_h,
                PALETTE["accent"],
                1 - 0.18 * index,
                label,
                number(value),
                x,
                128,
                PALETTE["ink"],
                label,
                x,
                144,
                PALETTE["muted"],
                number(value),
                100 * share,
            )
        )
    body = joined(parts)
    rows: list[list[Cell]] = [[label, value] for label, value in stages]
    return Chart(key, title, desc, _frame(key, title, desc, body, height), ["Stage", "Count"], rows)
