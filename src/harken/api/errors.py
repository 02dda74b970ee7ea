"""Every refusal as JSON: ``{"code": stable, "message": for people, "field": name|null}``.

The codes are part of the API's contract: clients branch on them, so they never change
meaning. A bad request is a 4xx with a code, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from harken.api.caller import ScopeMissing
from harken.listening.query import QueryError
from harken.publishing.compose.saving import Refused
from harken.publishing.states import IllegalTransition
from harken.publishing.validation import CannotSchedule

#: The codes of ninja's own refusals (a body that is not JSON is its 400).
HTTP_CODES = {400: "invalid", 405: "method_not_allowed", 413: "too_large"}


class Error(Schema):
    code: str
    message: str
    field: str | None = None


class ApiError(Exception):
    """A refusal an operation raises with its own code."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.extra = extra


def error_response(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": field, **extra}, status=status)


def _field_of(loc: list[Any]) -> str | None:
    # ninja's locations start with where the value came from (query, body, path) and the
    # schema's parameter name; the field a person named is the last string.
    names = [str(part) for part in loc[1:] if isinstance(part, str)]
    return names[-1] if names else None


def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    message = str(first.get("msg") or "The request is not valid.")
    return error_response(400, "invalid", message, _field_of(list(first.get("loc", []))))


def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    field = None
    if hasattr(exc, "error_dict"):
        field = next(iter(exc.error_dict), None)
        field = None if field == "__all__" else field
    return error_response(400, "invalid", " ".join(exc.messages), field)


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn each refusal into the error shape."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = error_response(exc.status, exc.code, exc.message, exc.field, **exc.extra)
        if exc.status == 429:
            response["Retry-After"] = str(exc.extra.get("retry_after", 60))
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            401,
            "unauthenticated",
            "Send a live personal access token: Authorization: Bearer hk_….",
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ScopeMissing)
    def scope_missing(request: HttpRequest, exc: ScopeMissing) -> HttpResponse:
        return error_response(403, "scope_missing", str(exc))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(403, "forbidden", str(exc) or "Your role cannot do this.")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "not_found", "There is no such item in this workspace.")

    @api.exception_handler(QueryError)
    def bad_query(request: HttpRequest, exc: QueryError) -> HttpResponse:
        return error_response(400, "invalid_query", exc.message, "query", position=exc.position)

    @api.exception_handler(CannotSchedule)
    def cannot_schedule(request: HttpRequest, exc: CannotSchedule) -> HttpResponse:
        problems = [{"rule": p.rule, "message": p.message} for p in exc.problems]
        message = " ".join(p["message"] for p in problems) or str(exc)
        return error_response(409, "cannot_schedule", message, None, problems=problems)

    @api.exception_handler(Refused)
    def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
        problems = [
            {"account": who, "rule": p.rule, "message": p.message} for who, p in exc.problems
        ]
        message = " ".join(f"{p['account']}: {p['message']}" for p in problems)
        return error_response(409, "cannot_schedule", message, None, problems=problems)

    @api.exception_handler(IllegalTransition)
    def conflict(request: HttpRequest, exc: IllegalTransition) -> HttpResponse:
        return error_response(409, "conflict", str(exc))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return error_response(exc.status_code, code, str(exc))

    api.exception_handler(NinjaValidationError)(_validation)
    api.exception_handler(DjangoValidationError)(_django_validation)
