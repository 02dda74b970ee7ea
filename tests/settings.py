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

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's shared-cache memory database: threads in one test process then
    # lock each other the way Harken's worker threads do (busy timeout, WAL), instead of
    # failing at once with "database table is locked".
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["HARKEN_DATA_DIR"], "test.sqlite3")
    }

# Posts in tests link to example domains that no machine can reach; the link check's
# own tests turn it on against a local server (tests/publishing/test_linkcheck.py).
PUBLISHING_LINK_CHECK = False
