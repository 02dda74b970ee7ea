"""Charts rendered on the server as SVG: one definition shows the same in the page, in an
e-mail and in a PDF, with no script and nothing loaded from elsewhere.

Every chart carries its table (the same figures, for screen readers, for people who
would rather read, and for the CSV download). Labels are escaped: a topic's or a
phrase's name is user text."""

from harken.analytics.charts.chart import Bar, Chart, Series
from harken.analytics.charts.shapes import bars, funnel, heatmap, line, stacked

__all__ = ["Bar", "Chart", "Series", "bars", "funnel", "heatmap", "line", "stacked"]
