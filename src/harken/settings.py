"""Harken's settings, read from the environment only (see .env.example).

Every value has a ``#:`` comment saying what it does. Bad values raise
``ImproperlyConfigured`` with one clear sentence; ``harken`` prints it and exits 2.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from harken.lib.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent

#: Where Harken keeps its SQLite database, queue, secret key and uploads.
DATA_DIR = Path(env_str("HARKEN_DATA_DIR", str(Path.cwd() / "data"))).expanduser().resolve()


def _data_file(name: str) -> Path:
    try:
        # Only its owner may enter: it holds the database, its sessions and the keys.
        DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"The data folder {DATA_DIR} cannot be created: {exc.strerror}. "
            "Set HARKEN_DATA_DIR to a writable folder."
        ) from None
    return DATA_DIR / name


def _kept_secret(name: str, make: str) -> str:
    """Return the secret kept in the data folder, creating it on first start."""
    path = _data_file(name)
    if not path.exists():
        try:
            path.touch(mode=0o600)
            path.write_text(make)
        except OSError as exc:
            raise ImproperlyConfigured(
                f"The data folder {DATA_DIR} is not writable ({exc.strerror}). "
                "Set HARKEN_DATA_DIR to a writable folder."
            ) from None
    return path.read_text().strip()


def _private_file(name: str) -> Path:
    """A file of the data folder, created empty and 0600 if missing: SQLite then keeps that
    mode for the database and gives it to its -wal and -shm files."""
    path = _data_file(name)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise ImproperlyConfigured(
            f"The data folder {DATA_DIR} is not writable ({exc.strerror}). "
            "Set HARKEN_DATA_DIR to a writable folder."
        ) from None
    return path


#: Debug pages with tracebacks. Never in production.
DEBUG = env_bool("HARKEN_DEBUG", False)

#: Signs sessions and tokens. Generated once and kept in the data folder unless set.
SECRET_KEY = env_secret("HARKEN_SECRET_KEY") or _kept_secret(
    "secret_key", secrets.token_urlsafe(64)
)

#: Keys for secrets at rest (Fernet), newest first, comma-separated; generated once if unset.
ENCRYPTION_KEYS = env_list("HARKEN_ENCRYPTION_KEYS", []) or [
    _kept_secret("encryption_key", Fernet.generate_key().decode())
]

#: Host names this server answers to.
ALLOWED_HOSTS = env_list("HARKEN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

#: Origins trusted for CSRF when behind a proxy (https://harken.example.com).
CSRF_TRUSTED_ORIGINS = env_list("HARKEN_CSRF_TRUSTED_ORIGINS", [])

#: The public base URL, used in invitation links and emails. When unset, `harken serve`
#: uses the address it listens on (see harken.core.baseurl).
BASE_URL = env_str("HARKEN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

#: Let outbound HTTP reach loopback addresses (tests and single-machine setups only).
HTTP_ALLOW_LOOPBACK = env_bool("HARKEN_HTTP_ALLOW_LOOPBACK", False)

#: Mail servers (a newsletter's SMTP and IMAP hosts, by name) that may be on a private or
#: loopback address: a relay on this machine ("localhost") or the office's mail server.
#: Any other host a manager types must be public, so the form cannot probe the local
#: network.
PRIVATE_MAIL_SERVERS = [
    host.lower().rstrip(".") for host in env_list("HARKEN_PRIVATE_MAIL_SERVERS", [])
]

#: Ask each link of a post whether it is online when scheduling and publishing (the
#: guidelines gate; a workspace turns it off in its rules). Off for a machine that cannot
#: reach the web.
PUBLISHING_LINK_CHECK = env_bool("HARKEN_LINK_CHECK", True)


def _trusted_proxy(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if value != "*":
        try:
            ipaddress.ip_address(value.strip("[]"))
        except ValueError:
            raise ImproperlyConfigured(
                f"HARKEN_TRUSTED_PROXY={raw!r} is not an IP address (the proxy's, as Harken "
                "sees it: 127.0.0.1 when it runs on this machine) or *."
            ) from None
    return value.strip("[]")


def _proxy_headers(names: list[str]) -> set[str]:
    known = {"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"}
    headers = {name.lower() for name in names}
    unknown = headers - known - {"x-forwarded-by", "forwarded"}
    if unknown or not headers or ("forwarded" in headers and len(headers) > 1):
        raise ImproperlyConfigured(
            f"HARKEN_TRUSTED_PROXY_HEADERS={','.join(names)!r} must be 'forwarded' alone, or "
            f"some of {', '.join(sorted(known))}."
        )
    return headers


#: The reverse proxy in front of `harken serve`: its address as Harken sees it (127.0.0.1
#: when it runs on this machine), or * for any. Its X-Forwarded-* headers are then believed
#: (the scheme, so HARKEN_HTTPS works behind it; the client's address; the host) and
#: everyone else's are dropped.
TRUSTED_PROXY = _trusted_proxy(env_str("HARKEN_TRUSTED_PROXY", ""))
#: Which of the trusted proxy's headers to believe.
TRUSTED_PROXY_HEADERS = _proxy_headers(
    env_list(
        "HARKEN_TRUSTED_PROXY_HEADERS",
        ["x-forwarded-proto", "x-forwarded-for", "x-forwarded-host", "x-forwarded-port"],
    )
)

#: Served over HTTPS (behind a proxy): secure cookies, HSTS and redirects.
HTTPS = env_bool("HARKEN_HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("HARKEN_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HARKEN_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HARKEN_HSTS_PRELOAD", False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
#: Content-Security-Policy: scripts only from Harken's own static files (no inline script
#: or eval), nothing loaded from elsewhere. Styles allow inline attributes; images allow
#: data: URIs (Pico draws its form controls with them). No form-action: connecting an
#: account posts a form that is redirected to the network's consent page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    # Nothing from elsewhere: the images a message links are fetched through Harken
    # (``harken.inbox.media``), so a tracking pixel never learns a viewer's address.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "harken.core",
    "harken.networks",
    "harken.analysis",
    "harken.inbox",
    "harken.listening",
    "harken.contacts",
    "harken.publishing",
    "harken.api",
    "harken.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "harken.core.middleware.CurrentWorkspaceMiddleware",
    "harken.core.middleware.WorkspaceTimezoneMiddleware",
    "harken.core.middleware.NoStoreWhenSignedInMiddleware",
]

ROOT_URLCONF = "harken.urls"
WSGI_APPLICATION = "harken.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "harken.core.context_processors.workspace",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL", "")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_private_file("harken.sqlite3")),
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises ValueError and friends
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(
            "DATABASE_URL is malformed: expected sqlite:///path or postgres://user@host:port/name."
        )
    return dict(config)


DATABASES = {"default": _database()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Survive a second process (the queue consumer): WAL lets readers run beside a writer,
    # busy_timeout waits for the lock instead of failing, IMMEDIATE takes the write lock
    # at BEGIN so two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            " PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A connection per server thread, kept between requests (Django's connections are
    # per thread, so waitress's threads never share one): opening one and running the
    # PRAGMAs above cost every request ~1 ms. The PRAGMAs run once per connection; a
    # connection holds no lock between requests, so the queue consumer still writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # SQLite's is_usable() is always True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: Redis for the scale-out queue; when unset the queue lives in SQLite in the data folder.
REDIS_URL = env_str("REDIS_URL", "")

#: Worker threads per queue consumer.
HUEY_WORKERS = env_int("HARKEN_WORKERS", 2, minimum=1)

if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL={REDIS_URL!r} must start with redis:// or rediss://."
        )
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HARKEN_QUEUE_NAME", "harken"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "harken",
        "filename": str(_private_file("queue.sqlite3")),
        "immediate": env_bool("HARKEN_QUEUE_IMMEDIATE", False),
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
#: Default time zone for dates shown to people; each workspace may set its own.
TIME_ZONE = env_str("HARKEN_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = _data_file("static")
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
#: Uploads (the composer's images) go to the data folder; they are served to members only
#: (``harken.publishing.compose``), never from a public URL.
MEDIA_ROOT = _data_file("media")
MEDIA_URL = "/media/"
#: The largest video the composer keeps, in bytes: the engine hands a video to its
#: connector whole, so this bounds a publishing worker's memory too.
HARKEN_MAX_VIDEO_UPLOAD = env_int("HARKEN_MAX_VIDEO_UPLOAD", 256 * 1024 * 1024, minimum=1)
if env_str("HARKEN_S3_BUCKET", ""):
    # S3-compatible storage through django-storages (``pip install 'harken[s3]'``); the
    # credentials come from the usual AWS_* variables, which boto3 reads itself.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("HARKEN_S3_BUCKET", ""),
            "endpoint_url": env_str("HARKEN_S3_ENDPOINT", "") or None,
            "region_name": env_str("HARKEN_S3_REGION", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Serve straight from the package without a collectstatic step in the embedded default.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

#: SMTP server for invitations and alerts; without one, emails are written to the log.
EMAIL_HOST = env_str("HARKEN_EMAIL_HOST", "")
DEFAULT_FROM_EMAIL = env_str("HARKEN_EMAIL_FROM", "Harken <harken@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("HARKEN_EMAIL_PORT", 587, minimum=1),
                "username": env_str("HARKEN_EMAIL_USER", ""),
                "password": env_secret("HARKEN_EMAIL_PASSWORD"),
                "use_tls": env_bool("HARKEN_EMAIL_TLS", True),
                "timeout": 15,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
del EMAIL_HOST

#: Log level for Harken's own loggers.
LOG_LEVEL = env_str("HARKEN_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Invitation, setup and password reset links never reach a log line.
    "filters": {"secret_paths": {"()": "harken.core.logfilters.RedactSecretPaths"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["secret_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "harken": {"level": LOG_LEVEL},
        # The queue's chatter (each task run, each periodic task queued) only at DEBUG;
        # its warnings and errors always.
        "huey": {
            "handlers": ["console"],
            "level": "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING",
            "propagate": False,
        },
        "waitress.queue": {"level": "ERROR"},
    },
}
