"""Settings → Accounts: connected accounts and their health, web feeds, and connecting
Mastodon. Each view is a few lines around ``access_*``/``check_*``/``do_*`` functions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harken.core.access import access_object, check_authority, scoped, workspace_view
from harken.core.models import Role
from harken.networks.base import ConnectorError
from harken.networks.feeds.actions import do_add_feed
from harken.networks.mastodon import oauth
from harken.networks.models import Account, MastodonApp
from harken.networks.registry import available_networks, do_disconnect, network_label

SESSION_KEY = "mastodon_oauth"


class FeedForm(forms.Form):
    url = forms.CharField(label="Feed address", max_length=2000)
    name = forms.CharField(label="Name", max_length=200, required=False)


class MastodonForm(forms.Form):
    instance = forms.CharField(label="Your Mastodon server", max_length=255)


def check_may_connect(request: HttpRequest) -> None:
    """Connecting accounts is the workspace's ``may_connect_accounts`` authority
    (managers and owners unless the owner changed it)."""
    if not check_authority(request, "may_connect_accounts"):
        raise PermissionDenied("Your role may not connect or disconnect accounts here.")


@workspace_view(Role.VIEWER)
def account_list(request: HttpRequest) -> HttpResponse:
    from harken.listening.models import Source

    return _page(
        request,
        accounts=_accounts(request),
        feeds=scoped(request, Source).filter(kind=Source.Kind.FEED).order_by("name"),
        feed_form=FeedForm(),
        mastodon_form=MastodonForm(),
    )


def _accounts(request: HttpRequest) -> list[Account]:
    accounts = list(scoped(request, Account).order_by("network", "handle"))
    for account in accounts:
        account.network_label = network_label(account.network)  # type: ignore[attr-defined]
        # The server to reconnect to, from the handle: a disconnected account has no config.
        if account.network == "mastodon" and account.status != Account.Status.ACTIVE:
            account.reconnect_instance = account.handle.rsplit("@", 1)[-1]  # type: ignore[attr-defined]
    return accounts


def _page(request: HttpRequest, status: int = 200, **context: object) -> HttpResponse:
    networks = [(network, network_label(network)) for network in available_networks()]
    context.update(
        {
            "title": "Accounts",
            "section": "settings",
            "tab": "accounts",
            "networks": networks,
            "may_connect": bool(check_authority(request, "may_connect_accounts")),
        }
    )
    return render(request, "networks/accounts.html", context, status=status)


@workspace_view(Role.VIEWER)
@require_POST
def feed_add(request: HttpRequest) -> HttpResponse:
    check_may_connect(request)
    form = FeedForm(request.POST)
    if form.is_valid():
        try:
            source = do_add_feed(
                request.workspace,  # type: ignore[attr-defined]
                request.user,
                form.cleaned_data["url"],
                form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            messages.success(request, f"Harken now follows the feed “{source.name}”.")
            return redirect("networks:accounts")
    return _invalid(request, feed_form=form)


def _invalid(request: HttpRequest, **forms_: object) -> HttpResponse:
    from harken.listening.models import Source

    context = {"feed_form": FeedForm(), "mastodon_form": MastodonForm(), **forms_}
    return _page(
        request,
        status=400,
        accounts=_accounts(request),
        feeds=scoped(request, Source).filter(kind=Source.Kind.FEED).order_by("name"),
        **context,
    )


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
