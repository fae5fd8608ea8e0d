"""Sending over SMTP with aiosmtplib: host, port, STARTTLS or implicit TLS and credentials from settings."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import aiosmtplib

from ideaflow.config import Settings, get_settings

log = logging.getLogger("ideaflow.mail")


class MailNotConfigured(RuntimeError):
    """IDEAFLOW_SMTP_HOST is empty: there is nowhere to send email."""


def is_configured(settings: Settings | None = None) -> bool:
    return bool((settings or get_settings()).smtp_host)


async def send(message: EmailMessage, settings: Settings | None = None) -> None:
    """Hand the message to the SMTP server; raises if it is refused, so the outbox retries the event."""
    settings = settings or get_settings()
    if not settings.smtp_host:
        raise MailNotConfigured("IDEAFLOW_SMTP_HOST is not set")
    security = settings.smtp_security
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        use_tls=security == "tls",
        start_tls=security == "starttls",
        timeout=settings.smtp_timeout_seconds,
        cert_bundle=settings.smtp_ca_file or None,
    )
    # Never the body, the links or the recipient's address: the message id is enough to trace it.
    log.info("mail sent: %s", message["Message-ID"])
