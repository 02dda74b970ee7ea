"""SMTP and IMAP connections that the URL guard vets, as every HTTP call is.

A list's mail servers are typed in by a manager. Left to ``smtplib`` and ``imaplib``, a
host such as ``10.0.0.5`` or ``localhost`` with any port would let that form probe the
machine's own network ("could not reach …: connection refused" against "timed out" tells
which ports are open). Here the socket opens only to a public address of the host
(``harken.lib.guarded.open_socket``: resolved once, every answer vetted, no rebinding
between check and connect) unless the administrator lists the host in
``HARKEN_PRIVATE_MAIL_SERVERS`` (a relay on this machine, the office's mail server).
TLS keeps the host name for SNI and the certificate check.
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl

from django.conf import settings

from harken.lib.guarded import Policy, open_socket
from harken.lib.urlguard import HostNotFound, UnsafeURL
from harken.networks.base import ConnectorError


def policy_for(host: str) -> Policy:
    """Private addresses only for a host the administrator named."""
    allowed = getattr(settings, "PRIVATE_MAIL_SERVERS", [])
    return Policy(allow_private=host.lower().rstrip(".") in allowed)


def refused(error: UnsafeURL) -> ConnectorError:
    """The guard's refusal in words a manager can act on; permanent but for a DNS failure
    that may pass."""
    if isinstance(error, HostNotFound):
        return ConnectorError(str(error), permanent=not error.temporary)
    return ConnectorError(
        f"{error} Mail servers must be public unless the administrator lists the host in "
        "HARKEN_PRIVATE_MAIL_SERVERS.",
        permanent=True,
    )


class GuardedSMTP(smtplib.SMTP):
    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return open_socket(host, port, timeout, policy_for(host))


class GuardedSMTPSSL(smtplib.SMTP_SSL, GuardedSMTP):
    """``SMTP_SSL`` wraps what ``GuardedSMTP._get_socket`` opens (it comes next in the
    method order), with the host name as SNI."""


class GuardedIMAP(imaplib.IMAP4):
    def _create_socket(self, timeout: float | None) -> socket.socket:
        return open_socket(self.host, self.port, timeout, policy_for(self.host))


class GuardedIMAPSSL(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout: float | None) -> ssl.SSLSocket:
        sock = open_socket(self.host, self.port, timeout, policy_for(self.host))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)
