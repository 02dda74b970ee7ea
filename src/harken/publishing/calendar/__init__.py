"""The content calendar: month, week and list views, events, recurring series, queues."""
