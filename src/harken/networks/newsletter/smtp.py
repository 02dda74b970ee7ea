"""The list's own SMTP connection (never Harken's system mail): STARTTLS, implicit TLS
or plain, with a timeout, and the server's refusals in its own words."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from typing import Any

from harken.lib.urlguard import UnsafeURL
from harken.networks.base import ConnectorError
from harken.networks.newsletter.sockets import GuardedSMTP, GuardedSMTPSSL, refused

TIMEOUT = 30.0
SECURITY = ("starttls", "ssl", "none")


def connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    """A logged-in SMTP session for the list, or a ``ConnectorError``: a refused login
    is permanent (a person must fix the password), an unreachable server is not."""
    host = str(config.get("smtp_host") or "")
    port = int(config.get("smtp_port") or 587)
    security = str(config.get("smtp_security") or "starttls")
    if not host:
        raise ConnectorError("This list has no SMTP server; connect it again.", permanent=True)
    context = ssl.create_default_context()
    session: smtplib.SMTP | None = None
    try:
        if security == "ssl":
            session = GuardedSMTPSSL(host, port, timeout=TIMEOUT, context=context)
        else:
            session = GuardedSMTP(host, port, timeout=TIMEOUT)
            if security == "starttls":
                session.starttls(context=context)
        user = str(config.get("smtp_user") or "")
        if user:
            session.login(user, str(config.get("smtp_password") or ""))
    except UnsafeURL as error:  # before OSError: a refusal is a ValueError, not a network error
        _drop(session)
        raise refused(error) from None
    except smtplib.SMTPAuthenticationError as error:
        _drop(session)
        raise ConnectorError(
            f"The SMTP server refused the login: {words(error)}", permanent=True
        ) from None
    except smtplib.SMTPNotSupportedError as error:
        _drop(session)
        raise ConnectorError(
            f"The SMTP server does not offer this: {error}. Check the security setting.",
            permanent=True,
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        _drop(session)
        raise ConnectorError(f"Could not reach the SMTP server {host}:{port}: {error}") from None
    return session


def _drop(session: smtplib.SMTP | None) -> None:
    """Close a connection that failed half-way, so no socket is left open."""
    if session is not None:
        session.close()


def close(session: smtplib.SMTP) -> None:
    try:
        session.quit()
    except (smtplib.SMTPException, OSError):
        session.close()


def words(error: smtplib.SMTPException) -> str:
    """The server's reply text of an SMTP refusal."""
    text = getattr(error, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    code = getattr(error, "smtp_code", "")
    return f"{code} {text}".strip() or str(error)
