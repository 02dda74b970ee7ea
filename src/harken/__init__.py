"""Harken: a self-hosted social media command center for small businesses."""

__version__ = "0.1.0"
