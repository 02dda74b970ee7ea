from tests.networks.facebook.graph_local import meta  # noqa: F401 - the fixture
