"""The workspace's weekly or monthly report: figures, charts and a written summary of
what changed, as an HTML e-mail and a PDF, sent on a schedule, on demand or by
``harken report``."""
