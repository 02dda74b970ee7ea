"""The analytics dashboard's headline figures, as the page computes them
(``harken.analytics.headlines``), for a period and filters read the page's way."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from harken.analytics.headlines import Stat, headlines
from harken.analytics.periods import Scope, scope_from
from harken.api.caller import Caller

RESOURCE = "analytics"


def dashboard(caller: Caller, params: dict[str, Any]) -> tuple[Scope, list[Stat]]:
    """The scope the parameters ask for (a malformed one falls back and is named in
    ``problems``, as on the page) and its figures."""
    caller.needs(RESOURCE)
    query = QueryDict(mutable=True)
    for name, value in params.items():
        if value not in (None, ""):
            query[name] = str(value)
    scope = scope_from(caller.workspace, query)
    return scope, headlines(scope)
