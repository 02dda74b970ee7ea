from tests.networks.facebook.graph_local import meta  # noqa: F401 - fixtures
from tests.networks.facebook.page_local import feed  # noqa: F401
