from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "harken.api"
    label = "api"
    verbose_name = "API"
