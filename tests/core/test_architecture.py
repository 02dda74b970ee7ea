"""The arrows between apps point one way (DESIGN.md, "Shape"): `networks` and `analysis`
know nothing of the apps above them. Every module of theirs is parsed, so an import
inside a function, under ``TYPE_CHECKING`` or by dotted name counts as much as one at
the top of the file."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import harken

SRC = Path(harken.__file__).parent
#: The apps that sit at the bottom of the picture.
LOWER = ("networks", "analysis")
#: The apps above them, which use them and which they must not know.
UPPER = ("listening", "inbox", "publishing", "analytics", "contacts", "api")
#: Calls that import a module named by a string.
DYNAMIC = {"import_module", "import_string", "__import__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted name) of everything ``tree`` imports, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(package, node.module, node.level)
            # `from harken import listening` imports harken.listening.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _called(node) in DYNAMIC and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return found


def _resolve(package: str, name: str | None, level: int) -> str:
    if level == 0:
        return name or ""
    base = package.rsplit(".", level - 1)[0] if level > 1 else package
    return f"{base}.{name}" if name else base


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def forbidden(name: str) -> str | None:
    """The upper app ``name`` belongs to, or None."""
    for app in UPPER:
        if name == f"harken.{app}" or name.startswith(f"harken.{app}."):
            return app
    return None


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    module = module_name(path)
    return [
        f"{path.relative_to(SRC.parent)}:{line} imports {name}"
        for line, name in imported(tree, module, path.name == "__init__.py")
        if forbidden(name)
    ]


def modules(app: str) -> list[Path]:
    return sorted((SRC / app).rglob("*.py"))


@pytest.mark.parametrize("app", LOWER)
def test_the_lower_apps_import_nothing_from_the_apps_above_them(app):
    paths = modules(app)
    assert len(paths) > 10  # the walk found the app's modules, not an empty folder
    found = [v for path in paths for v in violations(path)]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "from harken.listening.models import Source",
        "def f():\n    from harken.inbox import models\n",
        "import harken.publishing.scheduler as s",
        "from harken import analytics",
        "from ... import contacts",
        "import_string('harken.api.views.schema')",
        "importlib.import_module('harken.listening.pipeline')",
    ],
)
def test_the_check_sees_every_way_of_importing(source):
    tree = ast.parse(source)
    names = [name for _, name in imported(tree, "harken.networks.x.connector", False)]
    assert any(forbidden(name) for name in names), names


@pytest.mark.parametrize(
    "source",
    [
        "from harken.analysis.api import analyze",  # analysis's own api module
        "from .api import analyze",
        "from harken.networks.models import Account",
        "import harken.lib.http",
        "from harken.core.actions import audit",
    ],
)
def test_the_check_lets_the_lower_apps_use_their_own_and_shared_code(source):
    tree = ast.parse(source)
    names = [name for _, name in imported(tree, "harken.analysis.views", False)]
    assert not any(forbidden(name) for name in names), names
