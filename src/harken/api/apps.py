from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "harken.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # Outgoing webhooks: the lower apps' signals, and the queue's delivery tasks.
        from harken.api.webhooks import receivers, tasks  # noqa: F401
