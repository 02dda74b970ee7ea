"""A network's code lives in its own folder (docs/adding-a-network.md): outside
``harken/networks/<name>/`` nothing branches on one network. What differs between
networks is data on the connector class (limits, connect flows, search mode, query
rules), read through the registry.

Every Python module of ``src/harken`` is parsed and every template read. Flagged: a
comparison of something named ``network`` with a registered network's key
(``account.network == "mastodon"``, ``network in ("x", "reddit")``), a call that picks
rows by one network (``filter(network="x")``), an import from one network's package, a table keyed by two
or more networks
(``{"x": ..., "reddit": ...}``) or a list of them (``APP_SEARCH = ("reddit", "x")``), and a template tag naming a network's key
(``{% if network == "x" %}``). A network's package may name its own key, and the
registry names them all."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import harken
from harken.networks.registry import CONNECTORS, package_of

SRC = Path(harken.__file__).parent
NETWORKS = frozenset(CONNECTORS)
COMPARES = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
#: A template tag (``{% ... %}``) and the quoted strings in it.
TAG = re.compile(r"{%.*?%}", re.S)
QUOTED = re.compile(r"""(["'])(.*?)\1""")

#: Where naming the networks is the point: the registry lists them all.
ALLOWED = {"harken/networks/registry.py"}
#: Network branches other apps still hold, found when this test came in (each named in
#: the report of that change): the list may only shrink. ``(file, network keys it
#: names)``: a file that names a further network fails.
KNOWN = {
    # The X cost notes and the Bluesky stream on Listening › Sources.
    ("harken/listening/views/sources.py", frozenset({"x", "bluesky"})),
    ("harken/listening/templates/listening/_source_form.html", frozenset({"x"})),
    ("harken/listening/templates/listening/_source.html", frozenset({"feed"})),
    ("harken/listening/templates/listening/sources.html", frozenset({"x"})),
    # Jetstream reads Bluesky; web feeds are sources with the network "feed".
    ("harken/listening/jetstream.py", frozenset({"bluesky"})),
    ("harken/listening/feeds.py", frozenset({"feed"})),
    # Drafts from feeds: the composer reads a blog's feed with the feed reader.
    ("harken/publishing/compose/feeds.py", frozenset({"feed"})),
    # Demo data: sample sources per network, and an article for a feed.
    ("harken/listening/demo.py", frozenset({"mastodon", "bluesky", "feed"})),
    # How each network counts a reply's length (the connector's ``text_counting``).
    # Handle prefixes people type ("bsky:", "twitter:") mapped to networks.
    ("harken/contacts/handles.py", frozenset({"bluesky", "mastodon", "x", "reddit"})),
    # Default hashtags per post by network (a workspace may set its own).
    ("harken/publishing/guidelines.py", frozenset({"x", "bluesky", "mastodon"})),
    # Labels the connectors already carry (``Connector.label``).
    ("harken/core/templatetags/ui.py", frozenset({"x", "feed"})),
}


def own_network(path: Path) -> str | None:
    """The network whose package ``path`` is in, or None."""
    module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    for network in NETWORKS:
        if module.startswith(package_of(network) + "."):
            return network
    return None


def _names_network(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return "network" in name.lower()


def _keys(node: ast.AST) -> set[str]:
    """The network keys ``node`` holds: a string, or a tuple, list or set of them."""
    if isinstance(node, ast.Constant) and node.value in NETWORKS:
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        elements = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        return {element for element in elements if element in NETWORKS}
    return set()


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [base, *(f"{base}.{alias.name}" for alias in node.names)] if node.level == 0 else []


def _package_keys(module: str) -> set[str]:
    """The network whose package ``module`` is in (or is), as a set."""
    return {n for n in NETWORKS if f"{module}.".startswith(package_of(n) + ".")}


def python_branches(source: str) -> list[tuple[int, set[str]]]:
    """(line, network keys) of each network-specific branch in a Python module."""
    found: list[tuple[int, set[str]]] = []
    for node in ast.walk(ast.parse(source)):
        keys: set[str] = set()
        if isinstance(node, ast.Compare) and all(isinstance(op, COMPARES) for op in node.ops):
            sides = [node.left, *node.comparators]
            if any(_names_network(side) for side in sides):
                keys = {key for side in sides for key in _keys(side)}
        elif isinstance(node, ast.Call):
            picks = [kw.value for kw in node.keywords if (kw.arg or "").startswith("network")]
            keys = {key for value in picks for key in _keys(value)}
        elif isinstance(node, ast.Dict):
            named = {key for k in node.keys if k is not None for key in _keys(k)}
            keys = named if len(named) >= 2 else set()
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            named = _keys(node)
            keys = named if len(named) >= 2 else set()
        elif isinstance(node, ast.Import | ast.ImportFrom):
            keys = {key for name in _imported(node) for key in _package_keys(name)}
        if keys:
            found.append((getattr(node, "lineno", 0), keys))
    return found


def template_branches(source: str) -> list[tuple[int, set[str]]]:
    """(line, network keys) of each template tag that names a network's key."""
    found = []
    for tag in TAG.finditer(source):
        keys = {text for _, text in QUOTED.findall(tag.group()) if text in NETWORKS}
        if keys:
            found.append((source.count("\n", 0, tag.start()) + 1, keys))
    return found


def branches(path: Path) -> list[tuple[int, set[str]]]:
    """The branches in ``path`` on networks other than the one whose package it is in."""
    source = path.read_text("utf-8")
    found = python_branches(source) if path.suffix == ".py" else template_branches(source)
    own = own_network(path)
    return [(line, keys - {own}) for line, keys in found if keys - {own}]


def scanned() -> list[Path]:
    paths = [*SRC.rglob("*.py"), *SRC.rglob("*.html")]
    return sorted(p for p in paths if "migrations" not in p.parts)


def relative(path: Path) -> str:
    return path.relative_to(SRC.parent).as_posix()


def test_no_network_is_singled_out_outside_its_folder():
    paths = scanned()
    assert len(paths) > 100  # the walk found the source, not an empty folder
    known = dict(KNOWN)
    found = []
    for path in paths:
        name = relative(path)
        if name in ALLOWED:
            continue
        for line, keys in branches(path):
            if not keys <= known.get(name, frozenset()):
                found.append(f"{name}:{line} singles out {', '.join(sorted(keys))}")
    assert found == [], "Move these into the network's package:\n" + "\n".join(found)


def test_the_known_list_only_names_branches_that_are_still_there():
    # Once a file stops singling out a network, its entry goes: the list only shrinks.
    for name, keys in KNOWN:
        path = SRC.parent / name
        named = {key for _, found in branches(path) for key in found} if path.exists() else set()
        assert keys <= named, f"{name} no longer singles out {sorted(keys - named)}: drop it"


def test_a_networks_package_may_name_its_own_key_only():
    x_package = SRC / "networks" / "x" / "connector.py"
    assert own_network(x_package) == "x"
    assert own_network(SRC / "networks" / "feeds" / "connector.py") == "feed"
    assert own_network(SRC / "networks" / "views.py") is None


@pytest.mark.parametrize(
    "source",
    [
        'if account.network == "mastodon":\n    pass',
        'ok = "bluesky" != source.network',
        'if network in ("x", "reddit"):\n    pass',
        'Source.objects.filter(network="x")',
        'Account.objects.filter(network__in=["mastodon", "bluesky"])',
        'RULES = {"x": check_x, "reddit": check_reddit}',
        'APP_SEARCH = ("reddit", "x")',
        'label = "Web feed" if network == "feed" else "Post"',
        "from harken.networks.x.budget import usage_for",
        "from harken.networks import bluesky",
        "import harken.networks.reddit.connector",
    ],
)
def test_the_check_sees_a_branch_on_a_network_in_python(source):
    assert python_branches(source), source


@pytest.mark.parametrize(
    "source",
    [
        '{% if network == "mastodon" %}…{% endif %}',
        "{% elif source.network != 'x' %}",
        "{% url 'networks:connect_form' 'reddit' 'token' %}",
    ],
)
def test_the_check_sees_a_branch_on_a_network_in_a_template(source):
    assert template_branches(source), source


@pytest.mark.parametrize(
    "source",
    [
        'if source.kind == "feed":\n    pass',  # a kind of source, not a network
        'point = {"x": 1, "y": 2}',  # one key that happens to be a network's
        'axes = ("x", "y")',
        "if network == connector.network:\n    pass",
        'headers = {"Accept": "application/json"}',
        "from harken.networks.registry import connector_for",
        "from harken.networks.base import Connector",
        "from harken.networks.xylophone import notes",  # a name that only starts like one
    ],
)
def test_the_check_leaves_code_that_does_not_single_out_a_network(source):
    assert python_branches(source) == [], source


def test_the_check_leaves_templates_that_only_show_a_network():
    assert template_branches("{{ account.network_label }} {% url 'networks:accounts' %}") == []
