from tests.networks.tumblr.tumblr_local import tumblr  # noqa: F401 - fixtures
