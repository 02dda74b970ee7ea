from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "harken.contacts"
    label = "contacts"
