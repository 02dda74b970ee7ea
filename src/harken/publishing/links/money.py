"""Amounts in a currency's smallest unit, as people read them ("$1,250.00")."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma

#: Currencies a campaign may pledge in, with the sign written before the amount.
CURRENCIES = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "CHF": "CHF ",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
}


def money(cents: int, currency: str) -> str:
    """``cents`` of ``currency`` as "$1,250.00" (an unknown code is written before it)."""
    sign = CURRENCIES.get(currency, f"{currency} ")
    whole, part = divmod(int(cents), 100)
    return f"{sign}{intcomma(whole)}.{part:02d}"


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))
