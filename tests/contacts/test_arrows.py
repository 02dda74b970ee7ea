"""Contacts know listening; listening (and the apps below it) never know contacts."""

from __future__ import annotations

import ast

import pytest

from tests.core.test_architecture import SRC, imported, module_name


@pytest.mark.parametrize("app", ["listening", "networks", "analysis", "core", "lib"])
def test_no_app_below_contacts_imports_it(app):
    found = []
    for path in sorted((SRC / app).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        names = imported(tree, module_name(path), path.name == "__init__.py")
        found += [
            f"{path.name}:{line} {name}"
            for line, name in names
            if name == "harken.contacts" or name.startswith("harken.contacts.")
        ]
    assert found == []
