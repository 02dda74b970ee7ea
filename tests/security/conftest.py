"""The local networks the other apps' tests run, reused to play a hostile server."""

from tests.publishing.conftest import mastodon, mastodon_account  # noqa: F401
