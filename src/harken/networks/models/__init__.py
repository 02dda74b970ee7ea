from importlib import import_module
from importlib.util import find_spec

from harken.networks.models.account import Account
from harken.networks.models.mastodon_app import MastodonApp
from harken.networks.models.usage import NetworkBudget, XUsage


def _load_network_models() -> None:
    """A network package's own rows (its ``models.py``), filed under this app, so that a
    network with storage is still one folder (docs/adding-a-network.md)."""
    from harken.networks.registry import CONNECTORS, package_of

    for network in CONNECTORS:
        module = f"{package_of(network)}.models"
        if find_spec(module) is not None:
            import_module(module)


_load_network_models()

__all__ = ["Account", "MastodonApp", "NetworkBudget", "XUsage"]
