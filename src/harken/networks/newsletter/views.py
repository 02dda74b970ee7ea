"""The list's public pages (no login): the double opt-in form, the confirmation and the
unsubscribe link (RFC 8058 one-click POST included), and, for the workspace's managers,
the CSV import.

Every answer to the form is the same whatever the address's state, so the form tells no
one who is subscribed; the form is throttled per client address and per address asked
(``harken.core.throttle``), so it cannot be used to flood someone's inbox."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from importlib.resources import files
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from harken.core import throttle
from harken.core.access import WorkspaceRequest, access_object, workspace_view
from harken.core.models import Role
from harken.networks.models import Account
from harken.networks.newsletter import subscribers, tokens
from harken.networks.newsletter.models import NewsletterSubscriber as Subscriber
from harken.networks.newsletter.subscribers import config_of
from harken.networks.views import check_may_connect

NETWORK = "newsletter"
#: Subscribers listed on the list's page, newest first.
LATEST = 100
#: Subscriptions asked from one client address, then a delay that doubles.
PER_CLIENT = throttle.Rule(free=5, first_delay=timedelta(seconds=30), cap=timedelta(hours=1))
#: Confirmation mails to one address: a few, then hours apart.
PER_ADDRESS = throttle.Rule(free=2, first_delay=timedelta(minutes=10), cap=timedelta(hours=6))


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="Your e-mail address", max_length=254)
    name = forms.CharField(label="Your name (optional)", max_length=200, required=False)
    #: Left empty by people; robots fill every field.
    website = forms.CharField(required=False, label="Leave this empty")


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file (email, consent_date, name)")


@cache
def _template(name: str) -> Any:
    source = files(__package__).joinpath("templates", name).read_text("utf-8")
    return engines["django"].from_string(source)


def _page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    return HttpResponse(_template(template).render(context, request), status=status)


def _list(list_id: str) -> Account:
    account = Account.objects.filter(
        network=NETWORK, external_id=list_id, status=Account.Status.ACTIVE
    ).first()
    if account is None:
        raise Http404("No such newsletter.")
    return account


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, list_id: str) -> HttpResponse:
    account = _list(list_id)
    name = config_of(account).get("name") or account.handle
    if request.method == "GET":
        return _page(request, "newsletter_subscribe.html", form=SubscribeForm(), name=name)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _page(request, "newsletter_subscribe.html", 400, form=form, name=name)
    client = throttle.address_key("newsletter-subscribe", request)
    email = subscribers.clean_email(form.cleaned_data["email"]) or ""
    address = throttle.account_key(f"newsletter:{account.pk}:{email}")
    wait = throttle.blocked_for(client, address)
    if wait:
        return _page(request, "newsletter_subscribe.html", 429, form=form, name=name, wait=wait)
    throttle.record_failure(client, PER_CLIENT)  # every request counts, not only bad ones
    throttle.record_failure(address, PER_ADDRESS)
    if email and not form.cleaned_data["website"]:
        subscribers.subscribe(account, email, form.cleaned_data["name"])
    return _page(request, "newsletter_check_inbox.html", name=name)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and POST confirms: a mail scanner that opens every link must
    not subscribe anyone."""
    found = tokens.read_confirm(token)
    if found is None:
        return _page(
            request,
            "newsletter_done.html",
            404,
            title="This link has expired",
            words="Subscribe again on the list's form to get a fresh link.",
        )
    if request.method == "GET":
        return _page(request, "newsletter_confirm.html", token=token)
    subscriber = subscribers.confirm(*found)
    if subscriber is None:
        raise Http404("No such subscription.")
    return _page(
        request,
        "newsletter_done.html",
        title="You are subscribed",
        words="Thank you. Every issue has a link to unsubscribe.",
    )


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber_pk = tokens.read_unsubscribe(token)
    if subscriber_pk is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "GET":
        return _page(request, "newsletter_unsubscribe.html", token=token)
    if subscribers.unsubscribe(subscriber_pk) is None:
        raise Http404("No such subscription.")
    return _page(
        request,
        "newsletter_done.html",
        title="You are unsubscribed",
        words="You will get no further issue of this newsletter.",
    )


@workspace_view(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def import_subscribers(request: WorkspaceRequest, pk: int) -> HttpResponse:
    check_may_connect(request)
    account = access_object(request, Account, pk, network=NETWORK)
    counts = {
        status.label: Subscriber.objects.filter(account=account, status=status).count()
        for status in Subscriber.Status
    }
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            messages.error(request, "The file is larger than 20 MB.")
            return redirect(request.path)
        result = subscribers.import_csv(account, upload.read())
    return _page(
        request,
        "newsletter_import.html",
        account=account,
        form=form,
        result=result,
        counts=counts,
        latest=Subscriber.objects.filter(account=account).order_by("-created", "-pk")[:LATEST],
    )
