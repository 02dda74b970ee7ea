from tests.networks.linkedin.linkedin_local import linkedin  # noqa: F401 - fixtures
