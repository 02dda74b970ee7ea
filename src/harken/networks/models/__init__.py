from harken.networks.models.account import Account

__all__ = ["Account"]
