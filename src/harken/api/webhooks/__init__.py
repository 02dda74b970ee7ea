"""Outgoing webhooks: a workspace's endpoints, the events Harken sends them, signed per
Standard Webhooks, and the log of each delivery."""
