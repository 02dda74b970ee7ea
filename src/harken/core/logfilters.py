"""Log filters: secrets in URLs never reach a log line.

Invitation and setup links carry their token in the path, and a password reset link its
user and token; Django logs the path of every 4xx answer ("Not Found: /invite/…/"), and
a WSGI server or proxy may log request lines. The filter rewrites a record's message
with those parts replaced by ``…``.
"""

from __future__ import annotations

import logging
import re

#: /invite/<token>/, /setup/<token>/ and /password/reset/<uidb64>/<token>/.
SECRET_PATHS = re.compile(
    r"(/(?:invite|setup)/)[^/\s?#\"']+|(/password/reset/)[^/\s?#\"']+/[^/\s?#\"']+"
)


def redact(text: str) -> str:
    return SECRET_PATHS.sub(lambda m: f"{m.group(1) or m.group(2)}…", text)


class RedactSecretPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
