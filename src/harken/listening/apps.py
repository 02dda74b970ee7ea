from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "harken.listening"
    label = "listening"

    def ready(self) -> None:
        # Networks announces accounts connected and disconnected; listening keeps the
        # sources that read through them in step (networks must not know listening).
        from harken.listening.accounts import (
            poll_account_soon,
            start_mentions_source,
            stop_account_sources,
        )
        from harken.networks.signals import (
            account_activity,
            account_connected,
            account_disconnected,
        )

        account_connected.connect(start_mentions_source, dispatch_uid="listening.start_mentions")
        account_disconnected.connect(stop_account_sources, dispatch_uid="listening.stop_sources")
        account_activity.connect(poll_account_soon, dispatch_uid="listening.poll_soon")
