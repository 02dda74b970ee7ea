"""Refused forms answer with a redirect (post/redirect/get), so a reload never re-posts.

A view that refuses a form calls ``refused(request, form)``: what was sent (without
password fields and the CSRF token, encrypted, since it may hold a webhook URL) and the
errors are kept in the session for the page's next GET, and the browser is sent there.
That GET builds its forms with ``bind(request, FormClass, ...)``, which gives them the
kept data and exactly the errors of the refusal (not re-validated: a password field is
empty now, and the view's own errors, such as a name taken meanwhile, are not
reproducible). A reload of that page is a plain GET that shows the empty form.

Views use ``bind`` for both methods::

    form = bind(request, AlertRuleForm, instance=rule, workspace=workspace)
    if request.method == "POST":
        if form.is_valid():
            ...
            return redirect(...)
        return refused(request, form)
    return render(request, "…", {"form": form})
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from django import forms
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponseRedirect, QueryDict

from harken.core.crypto import decrypt_json, encrypt_json

SESSION_KEY = "refused_forms"
#: A refusal kept longer than this many pages back is dropped (the session stays small).
KEPT = 5

F = TypeVar("F", bound=forms.BaseForm)


def refused(request: HttpRequest, *refused_forms: forms.BaseForm) -> HttpResponseRedirect:
    """Keep the posted data and the forms' errors for the next GET of this page; go there."""
    secret = {"csrfmiddlewaretoken"}
    for form in refused_forms:
        secret |= {
            form[name].html_name
            for name, field in form.fields.items()
            if isinstance(field.widget, forms.PasswordInput)
        }
    data = [(k, v) for k, v in request.POST.lists() if k not in secret]
    errors = {form.prefix or "": form.errors.get_json_data() for form in refused_forms}
    kept = request.session.get(SESSION_KEY, {})
    kept.pop(_page_key(request), None)
    kept[_page_key(request)] = encrypt_json({"data": data, "errors": errors})
    while len(kept) > KEPT:
        kept.pop(next(iter(kept)))
    request.session[SESSION_KEY] = kept
    return HttpResponseRedirect(request.get_full_path())


def _page_key(request: HttpRequest) -> str:
    # Hashed: an invitation page's path holds its token, which the session must not.
    return hashlib.sha256(request.path.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _kept(request: HttpRequest) -> dict[str, Any] | None:
    """The refusal kept for this page, taken from the session once per request."""
    if not hasattr(request, "_refused_form"):
        entry = None
        if request.method == "GET" and SESSION_KEY in request.session:
            kept = request.session[SESSION_KEY]
            token = kept.pop(_page_key(request), None)
            if token is not None:
                request.session[SESSION_KEY] = kept
                entry = decrypt_json(token)
        request._refused_form = entry  # type: ignore[attr-defined]
    return request._refused_form  # type: ignore[attr-defined]


def bind(request: HttpRequest, form_class: type[F], /, **kwargs: Any) -> F:
    """``form_class`` bound to the POST, to a refusal kept for this GET, or unbound."""
    if request.method == "POST":
        return form_class(data=request.POST, files=request.FILES or None, **kwargs)
    entry = _kept(request)
    if entry is None:
        return form_class(**kwargs)
    data = QueryDict(mutable=True)
    for key, values in entry["data"]:
        data.setlist(key, values)
    form = form_class(data=data, **kwargs)
    _restore_errors(form, entry["errors"].get(form.prefix or "", {}))
    return form


def _restore_errors(form: forms.BaseForm, errors: dict[str, list[dict[str, str]]]) -> None:
    form._errors = ErrorDict(renderer=form.renderer)  # type: ignore[attr-defined]
    form.cleaned_data = {}
    for field, items in errors.items():
        name = field if field in form.fields else None
        for item in items:
            form.add_error(name, forms.ValidationError(item["message"], code=item.get("code")))
