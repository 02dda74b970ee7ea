"""Every audit action written anywhere in Harken has words of its own on the audit log
(``ui.ACTIONS``), not the identifier spelled out."""

from __future__ import annotations

import ast
from pathlib import Path

import harken
from harken.core.templatetags.ui import ACTIONS, action

SRC = Path(harken.__file__).parent


def _strings(node: ast.AST) -> set[str]:
    """The action names ``node`` may be: a string, or either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def written_actions() -> dict[str, str]:
    """Each action name passed to ``audit(workspace, actor, action, ...)`` → where."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "audit":
                continue
            given = node.args[2:3] + [k.value for k in node.keywords if k.arg == "action"]
            for value in given:
                for key in _strings(value):
                    found.setdefault(key, f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_the_scan_finds_the_audit_calls():
    found = written_actions()
    assert "campaign.create" in found and "reply.sent" in found and len(found) > 50


def test_every_audit_action_has_words_of_its_own():
    missing = sorted(
        f"{key} ({where})" for key, where in written_actions().items() if key not in ACTIONS
    )
    assert missing == [], "Add these to harken/core/templatetags/ui.py ACTIONS:\n" + "\n".join(
        missing
    )


def test_the_words_are_a_sentence_not_the_identifier():
    assert action("campaign.create") == "Created a campaign"
    assert all(
        words[:1].isupper() and "." not in words and "_" not in words for words in ACTIONS.values()
    )
