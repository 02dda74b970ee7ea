from harken.networks.models.account import Account
from harken.networks.models.mastodon_app import MastodonApp
from harken.networks.models.usage import NetworkBudget, XUsage

__all__ = ["Account", "MastodonApp", "NetworkBudget", "XUsage"]
