"""Settings → Accounts: connected accounts and their health, and connecting them. Web
feeds and searches are listening sources, added on Listening › Sources.

Every network connects through the same views: ``connect/<network>/start`` and
``connect/<network>/callback`` for a consent page (OAuth), ``connect/<network>/<flow>``
for a form that connects at once (an app password, a pasted token). The network's
package says how (its ``ConnectFlow``s, ``harken.networks.base``); these views check who
may connect, for which workspace, and that a callback belongs to the sign-in this
browser started (``state``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.urls import reverse
from django.views.decorators.http import require_POST

from harken.core.access import (
    WorkspaceRequest,
    access_object,
    check_authority,
    scoped,
    workspace_view,
)
from harken.core.models import Role
from harken.networks.base import MESSAGES_REFUSED, ConnectFlow, Connector, ConnectorError
from harken.networks.models import Account
from harken.networks.oauth2 import check_state, new_state
from harken.networks.registry import (
    available_networks,
    connect_flow,
    connect_flows,
    connector_class,
    do_disconnect,
    network_label,
    package_of,
)


def check_may_connect(request: WorkspaceRequest) -> None:
    """Connecting accounts is the workspace's ``may_connect_accounts`` authority
    (managers and owners unless the owner changed it)."""
    if not check_authority(request, "may_connect_accounts"):
        raise PermissionDenied("Your role may not connect or disconnect accounts here.")


def access_flow(network: str, name: str, kind: str) -> ConnectFlow:
    """``network``'s ``name`` flow of ``kind``; 404 when this installation does not offer it."""
    flow = connect_flow(network, name)
    if flow is None or flow.kind != kind:
        raise Http404("This network cannot be connected that way here.")
    return flow


@workspace_view(Role.VIEWER)
def account_list(request: WorkspaceRequest) -> HttpResponse:
    return _page(request)


def _accounts(request: WorkspaceRequest) -> list[Account]:
    accounts = list(scoped(request, Account).order_by("network", "handle"))
    for account in accounts:
        account.network_label = network_label(account.network)  # type: ignore[attr-defined]
        cls = connector_class(account.network)
        account.reads_nothing = reads_nothing_words(cls)  # type: ignore[attr-defined]
        account.messages_unread = messages_refusal(account)  # type: ignore[attr-defined]
        # A page of the network's own about one account (a newsletter's subscribers).
        manage = getattr(cls, "manage_view", "")
        if manage:
            account.manage_url = reverse(manage, args=[account.pk])  # type: ignore[attr-defined]
        flow = connect_flow(account.network, "oauth")
        if flow is not None and account.status != Account.Status.ACTIVE:
            account.reconnect = flow.reconnect_data(account.handle)  # type: ignore[attr-defined]
    return accounts


def reads_nothing_words(cls: type[Connector]) -> str:
    """For an account Harken cannot read (a connector without "fetch": TikTok's and
    Pinterest's APIs give no comments), what Harken does there and why it reads nothing;
    "" for an account it reads."""
    if "fetch" in cls.capabilities:
        return ""
    does = [
        word
        for cap, word in (("publish", "publishes"), ("metrics", "measures"))
        if cap in cls.capabilities
    ]
    head = (
        f"Harken {' and '.join(does)} here but does not read it."
        if does
        else "Harken does not read it."
    )
    return f"{head} {cls.unreadable}".strip()


def messages_refusal(account: Account) -> str:
    """Why the network refused Harken the account's direct messages, as its connector
    kept it in the config (``MESSAGES_REFUSED``); "" while they are read, or not asked."""
    config: Any = account.config
    refused = config.get(MESSAGES_REFUSED) if isinstance(config, dict) else None
    if not isinstance(refused, dict):
        return ""
    return str(refused.get("why") or "")


def _connectables(request: WorkspaceRequest, failed: Mapping[tuple[str, str], Any]) -> list[dict]:
    """One entry per network an account can be connected on: its forms (empty, or the one
    that failed with its errors), its form template and its consent page's callback."""
    found = []
    for network in available_networks():
        flows = connect_flows(network)
        if not flows:
            continue  # a web feed is a listening source, not an account
        forms = {
            name: failed.get((network, name)) or flow.form_class(prefix=flow.prefix)
            for name, flow in flows.items()
            if flow.form_class is not None
        }
        callback = reverse("networks:connect_callback", args=[network])
        found.append(
            {
                "network": network,
                "label": network_label(network),
                "template": connect_template(network),
                "flows": flows,
                "forms": forms,
                "redirect_uri": request.build_absolute_uri(callback),
            }
        )
    return found


@cache
def connect_template(network: str) -> Any:
    """The connect form of ``network``: its package's ``templates/<connect_template>``."""
    name = connector_class(network).connect_template
    source = files(package_of(network)).joinpath("templates", name).read_text("utf-8")
    return engines["django"].from_string(source)


def _page(
    request: WorkspaceRequest,
    status: int = 200,
    failed: Mapping[tuple[str, str], Any] | None = None,
) -> HttpResponse:
    connectables = _connectables(request, failed or {})
    context = {
        "title": "Accounts",
        "section": "settings",
        "tab": "accounts",
        "accounts": _accounts(request),
        "connectables": connectables,
        "may_connect": bool(check_authority(request, "may_connect_accounts")),
    }
    return render(request, "networks/accounts.html", context, status=status)


def _failed(
    request: WorkspaceRequest, network: str, name: str, form: Any, error: str = ""
) -> HttpResponse:
    """The Accounts page again, with ``form`` showing its errors and the network's."""
    if error:
        flow = connect_flow(network, name)
        form.add_error((flow and flow.error_field) or next(iter(form.fields)), error)
    return _page(request, status=400, failed={(network, name): form})


def _bound_form(flow: ConnectFlow, request: WorkspaceRequest) -> Any:
    return flow.form_class(request.POST, prefix=flow.prefix) if flow.form_class else None


def connected_words(account: Account) -> str:
    """What a person hears after connecting: what Harken will do with the account (a
    network whose API lets Harken read nothing, TikTok's or Pinterest's, says so)."""
    cls = connector_class(account.network)
    if "fetch" in cls.capabilities:
        return f"{account.handle} is connected; Harken reads its mentions."
    return f"{account.handle} is connected; {cls.unreadable or 'Harken reads nothing from it.'}"


@workspace_view(Role.VIEWER)
@require_POST
def connect_form(request: WorkspaceRequest, network: str, flow_name: str) -> HttpResponse:
    """A flow that connects at once: an app password, a pasted token."""
    check_may_connect(request)
    flow = access_flow(network, flow_name, "form")
    form = _bound_form(flow, request)
    if not form.is_valid():
        return _failed(request, network, flow_name, form)
    try:
        account = flow.connect(request.workspace, request.user, form.cleaned_data)
    except ConnectorError as exc:
        return _failed(request, network, flow_name, form, exc.message)
    messages.success(request, connected_words(account))
    return redirect("networks:accounts")


def session_key(network: str) -> str:
    return f"{network}_oauth"


@workspace_view(Role.VIEWER)
@require_POST
def connect_start(request: WorkspaceRequest, network: str) -> HttpResponse:
    """Send the person to ``network``'s consent page, remembering in their session what
    the callback must match: the state, the callback address and the workspace."""
    check_may_connect(request)
    flow = access_flow(network, "oauth", "oauth")
    form = _bound_form(flow, request)
    if form is not None and not form.is_valid():
        return _failed(request, network, "oauth", form)
    started = {
        "state": new_state(),
        "redirect_uri": request.build_absolute_uri(
            reverse("networks:connect_callback", args=[network])
        ),
        "workspace": str(request.workspace.pk),
    }
    data = form.cleaned_data if form is not None else {}
    try:
        url, extra = flow.start(
            data,
            state=started["state"],
            redirect_uri=started["redirect_uri"],
            host=request.get_host(),
        )
    except ConnectorError as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect("networks:accounts")
        return _failed(request, network, "oauth", form, exc.message)
    request.session[session_key(network)] = {**extra, **started}
    return redirect(url)


@workspace_view(Role.VIEWER)
def connect_callback(request: WorkspaceRequest, network: str) -> HttpResponse:
    """Where the network sends the person back: the start is used up, and the account is
    connected only when ``state`` and the workspace are the ones the start kept."""
    check_may_connect(request)
    flow = access_flow(network, "oauth", "oauth")

    def connect() -> Account:
        started = check_started(request, request.session.pop(session_key(network), None))
        return flow.finish(request.workspace, request.user, started, request.GET)

    return _connected(request, connect)


def check_started(
    request: WorkspaceRequest, started: Mapping[str, Any] | None
) -> Mapping[str, Any]:
    """What the start kept, once the callback proved it belongs to this session and
    workspace; ``ConnectorError`` otherwise."""
    started = started or {}
    check_state(started.get("state"), request.GET.get("state"))
    if started.get("workspace") != str(request.workspace.pk):
        raise ConnectorError(
            "This sign-in was started in another workspace; connect again here.", permanent=True
        )
    return started


def _connected(request: WorkspaceRequest, connect: Callable[[], Account]) -> HttpResponse:
    """Finish a consent-page flow: the account connected, or the network's refusal in
    its own words; back to the Accounts page either way."""
    try:
        account = connect()
    except ConnectorError as exc:
        messages.error(request, exc.message)
        return redirect("networks:accounts")
    messages.success(request, connected_words(account))
    return redirect("networks:accounts")


@workspace_view(Role.VIEWER)
@require_POST
def account_disconnect(request: WorkspaceRequest, pk: int) -> HttpResponse:
    check_may_connect(request)
    account = access_object(request, Account, pk)
    do_disconnect(account, request.user)
    messages.success(request, f"{account.handle} is disconnected; its credentials are deleted.")
    return redirect("networks:accounts")
