"""What each app knows about a section that has not got its own page yet.

The Inbox, Calendar and Analytics pages arrive with their capabilities; until then their
page says what Harken already holds for the workspace, so it never contradicts the stream
(a sample workspace with 70 mentions must not say "no figures yet"). Core knows no app
above it: each app that has a ``sections`` module with a function named after a section,
``inbox(workspace) -> dict``, adds its facts, as each app's ``demo`` module adds to the demo.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any

from django.apps import apps

from harken.core.models import Workspace

Facts = dict[str, Any]


@cache
def _modules() -> tuple[ModuleType, ...]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("harken.") or config.name == "harken.core":
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.sections"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.sections":
                raise
    return tuple(found)


def section_facts(section: str, workspace: Workspace) -> Facts:
    """Every app's facts about ``section`` for ``workspace``, merged (later apps win)."""
    facts: Facts = {}
    for module in _modules():
        provide: Callable[[Workspace], Facts] | None = getattr(module, section, None)
        if provide is not None:
            facts.update(provide(workspace))
    return facts
