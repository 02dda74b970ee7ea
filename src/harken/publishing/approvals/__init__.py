"""Approvals: posts that wait for a manager or a client before they can be scheduled."""
