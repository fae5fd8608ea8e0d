"""Outgoing email: multipart messages rendered from templates/mail/, sent over SMTP (aiosmtplib), with signed
one-click unsubscribe links (RFC 8058)."""

from ideaflow.mail.message import Email, build_message, render_email
from ideaflow.mail.sender import MailNotConfigured, is_configured, send
from ideaflow.mail.tokens import make_signed, read_signed

__all__ = [
    "Email",
    "MailNotConfigured",
    "build_message",
    "is_configured",
    "make_signed",
    "read_signed",
    "render_email",
    "send",
]
