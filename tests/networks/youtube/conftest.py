from tests.networks.youtube.youtube_local import youtube  # noqa: F401 - fixtures
