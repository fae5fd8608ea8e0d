"""Building messages: text and HTML parts rendered from templates/mail/<name>.txt and .html in the
workspace's branding, and the headers every message carries (Message-ID, Date, List-Unsubscribe...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ideaflow.config import get_settings


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(get_settings().templates_dir)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


_env = _environment()


def absolute_url(path: str) -> str:
    return get_settings().base_url.rstrip("/") + path


@dataclass
class Email:
    to: str
    subject: str
    text: str
    html: str
    # The signed https link (and the preferences page) for List-Unsubscribe; None for messages that are
    # not subscriptions (a password reset).
    unsubscribe_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None


def render_email(
    name: str, *, to: str, subject: str, context: dict[str, Any], unsubscribe_url: str | None = None
) -> Email:
    ctx = {
        "subject": subject,
        "base_url": get_settings().base_url.rstrip("/"),
        "preferences_url": absolute_url("/account/notifications"),
        "unsubscribe_url": unsubscribe_url,
        **context,
    }
    text = _env.get_template(f"mail/{name}.txt").render(ctx)
    html = _env.get_template(f"mail/{name}.html").render(ctx)
    return Email(to=to, subject=subject, text=text, html=html, unsubscribe_url=unsubscribe_url)


def _domain(address: str) -> str:
    _, addr = parseaddr(address)
    return addr.rpartition("@")[2] or "localhost"


def build_message(email: Email, *, sender_name: str | None = None) -> EmailMessage:
    """The MIME message: multipart/alternative (text first, HTML preferred), with RFC 8058 one-click
    unsubscribe when the message is about a subscription."""
    settings = get_settings()
    from_name, from_addr = parseaddr(settings.smtp_from)
    message = EmailMessage()
    display = sender_name or from_name or "ideaflow"
    username, _, domain = from_addr.partition("@")
    message["From"] = Address(display_name=display, username=username, domain=domain or "localhost")
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = email.message_id or make_msgid(domain=_domain(from_addr))
    message["Auto-Submitted"] = "auto-generated"
    if email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message
