from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "harken.networks"
    label = "networks"
