from __future__ import annotations

from django.db import models


class Throttle(models.Model):
    """Failed attempts under one key (an account's login, an address's guesses at links).

    A table, not a per-process cache: every `harken serve` process and machine shares it,
    on SQLite and PostgreSQL alike. The key is a hash, so a password typed into the
    username box is never stored.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(db_index=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.failures} failures"
