"""What every router shares: the error responses, the id bound, the caller."""

from __future__ import annotations

from typing import Annotated, cast

from django.http import HttpRequest
from ninja import Path

from harken.api.caller import Caller
from harken.api.errors import Error

#: The refusals any operation may answer with (the OpenAPI schema lists them).
ERRORS: dict[int, type] = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}
WRITE_ERRORS: dict[int, type] = {**ERRORS, 409: Error}
#: The largest id a database integer column holds.
MAX_ID = 2**63 - 1
#: A row's id in the path: a positive database integer (a larger one is no row's: 404).
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def caller_of(request: HttpRequest) -> Caller:
    """The token's caller that authentication put on the request."""
    return cast(Caller, request.auth)  # type: ignore[attr-defined]
