"""Keep secrets out of the access log: emailed one-time links carry their token in the path (password reset,
email verification, invitations, unsubscribe) and some callers put tokens in query strings."""

from __future__ import annotations

import logging
import re

# A path segment after one of these prefixes is a secret.
_SECRET_PATHS = re.compile(r"^(/(?:reset-password|verify-email|invitations|unsubscribe)/)[^/?#]+")
_SECRET_QUERY = re.compile(r"([?&](?:token|key|secret|code|jwt|signature)=)[^&#]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact_path(path: str) -> str:
    """The path and query with secret parts replaced: `/reset-password/abc?x=1` → `/reset-password/[redacted]?x=1`."""
    path = _SECRET_PATHS.sub(rf"\g<1>{REDACTED}", path)
    return _SECRET_QUERY.sub(rf"\g<1>{REDACTED}", path)


class RedactSecretsFilter(logging.Filter):
    """For uvicorn's access logger, whose records carry (client, method, path, http version, status) as args."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install_access_log_redaction(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactSecretsFilter) for f in logger.filters):
        logger.addFilter(RedactSecretsFilter())
