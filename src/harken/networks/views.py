"""Settings → Accounts: connected accounts and their health, and connecting them. Web
feeds and searches are listening sources, added on Listening › Sources. Each view is a
few lines around ``access_*``/``check_*``/``do_*`` functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harken.core.access import access_object, check_authority, scoped, workspace_view
from harken.core.models import Role
from harken.networks.base import ConnectorError
from harken.networks.bluesky import oauth as bluesky_oauth
from harken.networks.bluesky.connect import do_connect_bluesky
from harken.networks.bluesky.forms import BlueskySignInForm
from harken.networks.forms import BlueskyForm, TokenForm
from harken.networks.mastodon import oauth
from harken.networks.models import Account, MastodonApp
from harken.networks.oauth2 import check_consent, check_state, new_state, pkce_pair
from harken.networks.reddit import oauth as reddit_oauth
from harken.networks.registry import available_networks, do_disconnect, network_label
from harken.networks.token_connect import do_connect_reddit, do_connect_x
from harken.networks.x import oauth as x_oauth

#: The token connect flows: network → the function that checks the token and saves.
TOKEN_CONNECT = {"x": do_connect_x, "reddit": do_connect_reddit}

SESSION_KEY = "mastodon_oauth"


class MastodonForm(forms.Form):
    instance = forms.CharField(label="Your Mastodon server", max_length=255)


def check_may_connect(request: HttpRequest) -> None:
    """Connecting accounts is the workspace's ``may_connect_accounts`` authority
    (managers and owners unless the owner changed it)."""
    if not check_authority(request, "may_connect_accounts"):
        raise PermissionDenied("Your role may not connect or disconnect accounts here.")


@workspace_view(Role.VIEWER)
def account_list(request: HttpRequest) -> HttpResponse:
    return _page(request, accounts=_accounts(request), **_forms(request))


def _forms(request: HttpRequest) -> dict[str, Any]:
    """Every form of the page, empty; a failed submit replaces its own."""
    return {
        "mastodon_form": MastodonForm(),
        "bluesky_form": BlueskyForm(),
        "bluesky_signin_form": BlueskySignInForm(),
        "x_form": TokenForm(prefix="x"),
        "reddit_form": TokenForm(prefix="reddit"),
    }


def _accounts(request: HttpRequest) -> list[Account]:
    accounts = list(scoped(request, Account).order_by("network", "handle"))
    for account in accounts:
        account.network_label = network_label(account.network)  # type: ignore[attr-defined]
        # The server to reconnect to, from the handle: a disconnected account has no config.
        if account.network == "mastodon" and account.status != Account.Status.ACTIVE:
            account.reconnect_instance = account.handle.rsplit("@", 1)[-1]  # type: ignore[attr-defined]
    return accounts


def _page(request: HttpRequest, status: int = 200, **context: object) -> HttpResponse:
    # A web feed is a listening source, not an account: it is added under Sources.
    networks = [(n, network_label(n)) for n in available_networks() if n != "feed"]
    context.update(
        {
            "title": "Accounts",
            "section": "settings",
            "tab": "accounts",
            "networks": networks,
            "may_connect": bool(check_authority(request, "may_connect_accounts")),
            # X and Reddit connect through their consent pages when the app is set up;
            # Reddit compares the callback with the app's registered one exactly.
            "x_oauth": x_oauth.oauth_configured(),
            "x_redirect_uri": request.build_absolute_uri(reverse("networks:x_callback")),
            "reddit_redirect_uri": request.build_absolute_uri(reverse("networks:reddit_callback")),
        }
    )
    return render(request, "networks/accounts.html", context, status=status)


def _invalid(request: HttpRequest, **forms_: object) -> HttpResponse:
    return _page(request, status=400, accounts=_accounts(request), **{**_forms(request), **forms_})


@workspace_view(Role.VIEWER)
@require_POST
def bluesky_connect(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)
    form = BlueskyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, bluesky_form=form)
    try:
        account = do_connect_bluesky(
            request.workspace,  # type: ignore[attr-defined]
            request.user,
            form.cleaned_data["handle"],
            form.cleaned_data["app_password"],
            form.cleaned_data["service"],
        )
    except ConnectorError as exc:
        form.add_error("app_password", exc.message)
        return _invalid(request, bluesky_form=form)
    messages.success(request, f"{account.handle} is connected; Harken reads its mentions.")
    return redirect("networks:accounts")


@workspace_view(Role.VIEWER)
@require_POST
def token_connect(request: HttpRequest, network: str) -> HttpResponse:
    check_may_connect(request)
    if network not in TOKEN_CONNECT or network not in available_networks():
        raise Http404("This network cannot be connected here.")
    form = TokenForm(request.POST, prefix=network)
    if form.is_valid():
        try:
            account = TOKEN_CONNECT[network](
                request.workspace,  # type: ignore[attr-defined]
                request.user,
                form.cleaned_data["token"],
            )
        except ConnectorError as exc:
            form.add_error("token", exc.message)
        else:
            messages.success(request, f"{account.handle} is connected; Harken reads its mentions.")
            return redirect("networks:accounts")
    return _invalid(request, **{f"{network}_form": form})


@workspace_view(Role.VIEWER)
@require_POST
def mastodon_connect(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)
    form = MastodonForm(request.POST)
    if not form.is_valid():
        return _invalid(request, mastodon_form=form)
    try:
        instance = oauth.check_instance(form.cleaned_data["instance"])
        app = oauth.app_for(
            instance, request.build_absolute_uri(reverse("networks:mastodon_callback"))
        )
    except ConnectorError as exc:
        form.add_error("instance", exc.message)
        return _invalid(request, mastodon_form=form)
    state = oauth.new_state()
    request.session[SESSION_KEY] = {"state": state, "instance": instance}
    return redirect(oauth.authorize_url(app, state))


@workspace_view(Role.VIEWER)
def mastodon_callback(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)
    started = request.session.pop(SESSION_KEY, None) or {}
    try:
        oauth.check_state(started.get("state"), request.GET.get("state"))
        if request.GET.get("error"):
            raise ConnectorError(
                request.GET.get("error_description") or "The server did not grant access."
            )
        app = MastodonApp.objects.get(instance=started["instance"])
        account = oauth.do_connect_mastodon(
            request.workspace,  # type: ignore[attr-defined]
            request.user,
            app,
            request.GET.get("code", ""),
        )
    except (ConnectorError, MastodonApp.DoesNotExist) as exc:
        messages.error(request, getattr(exc, "message", "Connect the account again."))
        return redirect("networks:accounts")
    messages.success(request, f"{account.handle} is connected.")
    return redirect("networks:accounts")


@workspace_view(Role.VIEWER)
@require_POST
def account_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    check_may_connect(request)
    account = access_object(request, Account, pk)
    do_disconnect(account, request.user)
    messages.success(request, f"{account.handle} is disconnected; its credentials are deleted.")
    return redirect("networks:accounts")


def _connected(request: HttpRequest, connect: Callable[[], Account]) -> HttpResponse:
    """Finish a consent-page flow: the account connected, or the network's refusal in
    its own words; back to the Accounts page either way."""
    try:
        account = connect()
    except ConnectorError as exc:
        messages.error(request, exc.message)
        return redirect("networks:accounts")
    messages.success(request, f"{account.handle} is connected; Harken reads its mentions.")
    return redirect("networks:accounts")


# --- X and Reddit through their consent pages (OAuth 2.0 authorization code) -------------

X_SESSION_KEY = "x_oauth"
REDDIT_SESSION_KEY = "reddit_oauth"


def _start_oauth(request: HttpRequest, key: str, callback: str, **extra: str) -> dict[str, str]:
    """Remember in the session what the callback must match: the state, the callback
    address, the workspace the account will belong to, and the flow's own secrets."""
    started = {
        "state": new_state(),
        "redirect_uri": request.build_absolute_uri(reverse(callback)),
        "workspace": str(request.workspace.pk),  # type: ignore[attr-defined]
        **extra,
    }
    request.session[key] = started
    return started


def _finish_oauth(request: HttpRequest, key: str, network: str) -> tuple[dict[str, str], str]:
    """What the flow started with, and the code, once the callback proved it belongs to
    this session and workspace; ``ConnectorError`` otherwise. The start is used up."""
    started = request.session.pop(key, None) or {}
    check_state(started.get("state"), request.GET.get("state"))
    if started.get("workspace") != str(request.workspace.pk):  # type: ignore[attr-defined]
        raise ConnectorError(
            "This sign-in was started in another workspace; connect again here.", permanent=True
        )
    return started, check_consent(network, request.GET)


@workspace_view(Role.VIEWER)
@require_POST
def x_connect(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)
    if "x" not in available_networks() or not x_oauth.oauth_configured():
        raise Http404("X cannot be connected here.")
    verifier, challenge = pkce_pair()
    started = _start_oauth(request, X_SESSION_KEY, "networks:x_callback", verifier=verifier)
    return redirect(x_oauth.authorize_url(started["redirect_uri"], started["state"], challenge))


@workspace_view(Role.VIEWER)
def x_callback(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)

    def connect() -> Account:
        started, code = _finish_oauth(request, X_SESSION_KEY, "X")
        return x_oauth.do_connect_x_oauth(
            request.workspace,  # type: ignore[attr-defined]
            request.user,
            code,
            started["verifier"],
            started["redirect_uri"],
        )

    return _connected(request, connect)


@workspace_view(Role.VIEWER)
@require_POST
def reddit_connect(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)
    if "reddit" not in available_networks():
        raise Http404("Reddit cannot be connected here.")
    started = _start_oauth(request, REDDIT_SESSION_KEY, "networks:reddit_callback")
    try:
        url = reddit_oauth.authorize_url(started["redirect_uri"], started["state"])
    except ConnectorError as exc:
        messages.error(request, exc.message)
        return redirect("networks:accounts")
    return redirect(url)


@workspace_view(Role.VIEWER)
def reddit_callback(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)

    def connect() -> Account:
        started, code = _finish_oauth(request, REDDIT_SESSION_KEY, "Reddit")
        return reddit_oauth.do_connect_reddit_oauth(
            request.workspace,  # type: ignore[attr-defined]
            request.user,
            code,
            started["redirect_uri"],
        )

    return _connected(request, connect)


# --- Bluesky: "Sign in with Bluesky" (atproto OAuth; see networks/bluesky/oauth.py) ------

BLUESKY_SESSION_KEY = "bluesky_oauth"


@workspace_view(Role.VIEWER)
@require_POST
def bluesky_oauth_start(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)
    form = BlueskySignInForm(request.POST)
    if not form.is_valid():
        return _invalid(request, bluesky_signin_form=form)
    try:
        client = bluesky_oauth.oauth_client()
        bluesky_oauth.check_browser_host(client, request.get_host())
        url, pending = bluesky_oauth.start_sign_in(form.cleaned_data["handle"], client)
    except ConnectorError as exc:
        form.add_error("handle", exc.message)
        return _invalid(request, bluesky_signin_form=form)
    pending["workspace"] = request.workspace.pk  # type: ignore[attr-defined]
    # Sealed: it holds the DPoP private key and the PKCE verifier.
    request.session[BLUESKY_SESSION_KEY] = bluesky_oauth.seal(pending)
    return redirect(url)


@workspace_view(Role.VIEWER)
def bluesky_oauth_callback(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)

    def connect() -> Account:
        pending = bluesky_oauth.unseal(request.session.pop(BLUESKY_SESSION_KEY, None))
        if pending.get("workspace") != request.workspace.pk:  # type: ignore[attr-defined]
            raise ConnectorError(
                "This sign-in was started in another workspace; connect again here.",
                permanent=True,
            )
        return bluesky_oauth.do_finish_sign_in(
            request.workspace,  # type: ignore[attr-defined]
            request.user,
            pending,
            request.GET,
        )

    return _connected(request, connect)


def bluesky_client_metadata(request: HttpRequest) -> HttpResponse:
    """The client metadata document Bluesky's servers fetch: public, no login. A loopback
    install has none (its client_id carries the metadata)."""
    try:
        client = bluesky_oauth.oauth_client()
    except ConnectorError:
        raise Http404("Bluesky sign-in needs HARKEN_BASE_URL on https.") from None
    if client.loopback:
        raise Http404("A loopback install needs no client metadata document.")
    response = JsonResponse(bluesky_oauth.client_metadata(client))
    response["Cache-Control"] = "public, max-age=300"
    return response
