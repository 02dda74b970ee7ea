"""What a reply may promise, by the author's role (the seeds: a representative needs
authority to make decisions). The amounts are the core's ``refund_limit`` authority; the
words are the workspace's ``ReplyRules``. A reply that says more than its author may is
held for a manager with the reason in words, never blocked or sent silently.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import regex

from harken.core.models import Authority, Member, Role, Workspace
from harken.inbox.models import ReplyRules

AMOUNT = regex.compile(
    r"[$€£]\s?(?P<a>\d[\d,]*(?:\.\d+)?)"
    r"|(?P<b>\d[\d,]*(?:\.\d+)?)\s?(?:[$€£]|dollars?\b|euros?\b|pounds?\b|usd\b|eur\b|gbp\b)",
    regex.IGNORECASE,
)


def amounts(text: str) -> list[tuple[Decimal, str]]:
    """Every sum of money the text names ($150, 150 €, 1,200 dollars), with its words."""
    found = []
    for match in AMOUNT.finditer(text):
        raw = (match.group("a") or match.group("b") or "").replace(",", "")
        try:
            found.append((Decimal(raw), match.group(0).strip()))
        except InvalidOperation:
            continue
    return found


def rules_for(workspace: Workspace) -> ReplyRules:
    rules = ReplyRules.objects.filter(workspace=workspace).first()
    return rules or ReplyRules(workspace=workspace)


def listed_words(workspace: Workspace, text: str) -> list[str]:
    lowered = text.lower()
    return [
        word
        for word in rules_for(workspace).words
        if regex.search(rf"(?<!\w){regex.escape(word)}(?!\w)", lowered)
    ]


def hold_reason(member: Member, text: str) -> str:
    """Why ``member`` may not send ``text`` without a manager, in words; "" when they may."""
    limit = Authority.value_for(member.workspace, member.role, "refund_limit")
    reasons = []
    over = [a for a in amounts(text) if a[0] > limit]
    if over:
        reasons.append(
            f"Promises {max(over)[1]}, above the {member.role_enum.label.lower()} "
            f"limit of {_money(Decimal(limit))}."
        )
    if not member.can(Role.MANAGER):
        words = listed_words(member.workspace, text)
        if words:
            quoted = ", ".join(f"“{w}”" for w in words)
            reasons.append(f"Says {quoted}, which the workspace lists as needing a manager.")
    return " ".join(reasons)


def approval_refusal(member: Member, text: str) -> str:
    """Why ``member`` may not approve ``text``; "" when they may."""
    if not member.can(Role.MANAGER):
        return "Only a manager or an owner can approve a held reply."
    limit = Authority.value_for(member.workspace, member.role, "refund_limit")
    over = [a for a in amounts(text) if a[0] > limit]
    if over:
        return f"It promises {max(over)[1]}, above your limit of {_money(Decimal(limit))}."
    return ""


def _money(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")
