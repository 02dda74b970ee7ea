"""Settings → API: the member's personal access tokens (create, list, revoke) and the
API's docs page (Swagger UI from vendored files, under the site's CSP)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harken.api.forms import TokenForm
from harken.api.models import Token
from harken.api.tokens import do_create_token, do_revoke_token
from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.models import Role
from harken.core.refused import bind, refused

#: The session key that carries a new token to the page that shows it once.
NEW_SECRET = "new_api_token"  # noqa: S105 - a session key, not a secret


@workspace_view()
def tokens(request: WorkspaceRequest) -> HttpResponse:
    form = bind(request, TokenForm)
    if request.method == "POST":
        if form.is_valid():
            try:
                made = do_create_token(
                    request.member, form.cleaned_data["name"], form.scopes(), form.expiry()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                return refused(request, form)
            # Shown once, on the next page: kept in the session only until then.
            request.session[NEW_SECRET] = {"id": made.token.pk, "secret": made.secret}
            return redirect("api_tokens")
        return refused(request, form)
    mine = scoped(request, Token).filter(member=request.member).order_by("-created", "-id")
    others = (
        scoped(request, Token)
        .exclude(member=request.member)
        .filter(revoked__isnull=True)
        .select_related("member__user")
        .order_by("-created", "-id")
        if request.member.can(Role.OWNER)
        else Token.objects.none()
    )
    context = {
        "title": "Settings",
        "section": "settings",
        "tab": "api",
        "form": form,
        "tokens": list(mine),
        "others": list(others),
        "new": request.session.pop(NEW_SECRET, None),
    }
    return render(request, "api/tokens.html", context)


@require_POST
@workspace_view()
def revoke(request: WorkspaceRequest, pk: int) -> HttpResponse:
    token = access_object(request, Token, pk)
    do_revoke_token(token, request.member)
    messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("api_tokens")


def docs(request: HttpRequest) -> HttpResponse:
    """The API reference, drawn by Swagger UI from /api/v1/openapi.json."""
    return render(request, "api/docs.html", {"title": "API reference"})


def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"code": "not_found", "message": "No such API address; see /api/v1/docs/.", "field": None},
        status=404,
    )
