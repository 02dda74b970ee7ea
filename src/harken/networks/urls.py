"""Settings › Accounts, the connect views every network shares, and each network
package's own public addresses (its ``urls.py``, when it has one)."""

from importlib import import_module
from importlib.util import find_spec

from django.urls import URLPattern, URLResolver, include, path

from harken.networks import views
from harken.networks.registry import CONNECTORS, package_of

app_name = "networks"


def network_urls() -> list[URLPattern | URLResolver]:
    """``<network>/…`` for each network package that has a ``urls.py``."""
    found: list[URLPattern | URLResolver] = []
    for network in CONNECTORS:
        module = f"{package_of(network)}.urls"
        if find_spec(module) is not None:
            found.append(path(f"{network}/", include(import_module(module).urlpatterns)))
    return found


urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/disconnect/", views.account_disconnect, name="account_disconnect"),
    path("connect/<slug:network>/start/", views.connect_start, name="connect_start"),
    path("connect/<slug:network>/callback/", views.connect_callback, name="connect_callback"),
    path("connect/<slug:network>/<slug:flow_name>/", views.connect_form, name="connect_form"),
    *network_urls(),
]
