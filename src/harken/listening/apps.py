from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "harken.listening"
    label = "listening"
