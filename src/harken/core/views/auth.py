"""Signing in, throttled (see ``harken.core.throttle``), and the password pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from harken.core import throttle


def wait_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' * (seconds != 1)}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' * (minutes != 1)}"


def throttled(request: HttpRequest, seconds: int, what: str = "attempts") -> HttpResponse:
    """429 with Retry-After: too many failed attempts from here, or at this account."""
    response = render(
        request,
        "core/throttled.html",
        {"title": "Too many attempts", "wait": wait_words(seconds), "what": what},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses, unevaluated, a login while the account or the address is cooling off,
    and counts each wrong password against both."""

    retry_after = 0
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your username and password didn't match. Please try again.",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        assert self.request is not None  # LoginView always passes it
        keys = [throttle.account_key(username), throttle.address_key("login", self.request)]
        wait = throttle.blocked_for(*keys)
        if wait:
            self.retry_after = wait
            raise ValidationError(
                f"Too many failed attempts. Try again in {wait_words(wait)}.", code="throttled"
            )
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if exc.code == "invalid_login":
                throttle.record_failure(keys[0], throttle.ACCOUNT)
                throttle.record_failure(keys[1], throttle.ADDRESS)
            raise
        throttle.forget(keys[0])
        return cleaned


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")
    extra_context = {"title": "Change password", "section": "settings"}


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    extra_context = {"title": "Password changed", "section": "settings"}


class PasswordResetView(auth_views.PasswordResetView):
    """Mails a reset link (the console in development) to the accounts with that address;
    the page says the same whether or not one exists, so it reveals no account."""

    success_url = reverse_lazy("password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    extra_context = {"title": "Reset your password"}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = throttle.address_key("reset", request)
        wait = throttle.blocked_for(key)
        if wait:
            return throttled(request, wait, "password reset requests")
        throttle.record_failure(key, throttle.LINK)  # each request counts: it sends mail
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    extra_context = {"title": "Check your email"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")
    extra_context = {"title": "Choose a new password"}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    extra_context = {"title": "Password reset"}
