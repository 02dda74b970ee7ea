"""Settings for the test suite: Harken's own settings with a throwaway data folder."""

import os
import tempfile

os.environ.setdefault("HARKEN_DATA_DIR", tempfile.mkdtemp(prefix="harken-test-"))
os.environ.setdefault("HARKEN_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from harken.settings import *

# Tasks run inline unless a test starts a real consumer (see tests/core/test_queue.py).
HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
