"""Tracked short links, their clicks, and campaigns with per-click pledges."""
