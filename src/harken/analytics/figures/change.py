"""A figure against the same figure of the period it is compared with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """``now`` and ``before`` (None: no comparison, or nothing to compare with).

    ``unit`` "%" compares shares in points ("+5 pt"), anything else as a relative change
    ("+12 %"); ``better`` says which way is good ("up", "down")."""

    now: float | None
    before: float | None
    unit: str = ""
    better: str = "up"

    @property
    def delta(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return self.now - self.before

    @property
    def relative(self) -> float | None:
        """The change as a share of ``before`` (None when ``before`` is zero)."""
        if self.delta is None or not self.before:
            return None
        return self.delta / self.before

    @property
    def direction(self) -> str:
        if not self.delta:
            return "flat"
        return "up" if self.delta > 0 else "down"

    @property
    def good(self) -> bool | None:
        if self.direction == "flat":
            return None
        return self.direction == self.better

    @property
    def words(self) -> str:
        """ "+5 pt", "−12 %", "new" or "" (nothing to compare with)."""
        if self.delta is None:
            return ""
        if self.unit == "%":
            return f"{self.delta:+.0f} pt".replace("-", "−")
        if self.unit == "min":
            return f"{self.delta:+.0f} min".replace("-", "−")
        if self.relative is None:
            return "new" if self.delta else ""
        return f"{100 * self.relative:+.0f} %".replace("-", "−")
