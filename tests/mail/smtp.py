"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) that keeps what it receives, parsed,
and can refuse the next messages; plus helpers that deliver pending outbox events through ideaflow's own
email handlers."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.config import get_settings
from ideaflow.db import Database
from ideaflow.notifications import handlers
from ideaflow.outbox import Event, registry
from ideaflow.outbox import service as outbox_service
from ideaflow.outbox.models import OutboxEvent, OutboxStatus


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    def links(self, path_prefix: str) -> list[str]:
        """Absolute links in the text part whose path starts with `path_prefix`."""
        base = get_settings().base_url.rstrip("/")
        return re.findall(re.escape(base + path_prefix) + r"[^\s<>\"]+", self.text)


@dataclass
class Inbox:
    messages: list[Received] = field(default_factory=list)
    refuse_next: int = 0
    # Accept this many messages before refusing `refuse_next` ones.
    accept_first: int = 0
    refused: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.accept_first > 0:
            self.accept_first -= 1
        elif self.refuse_next > 0:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def start_server() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox


async def deliver_pending(session: AsyncSession, database: Database) -> int:
    """Run ideaflow's notification and email handlers on every pending outbox event, as the worker would,
    then mark the events delivered. Returns how many events were processed."""
    await session.flush()
    rows = list(
        await session.scalars(
            select(OutboxEvent).where(OutboxEvent.status == OutboxStatus.pending).order_by(OutboxEvent.id)
        )
    )
    for row in rows:
        await run_handlers(database, event_of(row))
    if rows:
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_([r.id for r in rows]))
            .values(status=OutboxStatus.delivered)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def event_of(row: OutboxEvent, attempt: int = 1) -> Event:
    return Event(
        id=row.id,
        type=row.type,
        workspace_id=row.workspace_id,
        payload=row.payload,
        attempt=attempt,
        created_at=row.created_at,
    )


async def run_handlers(database: Database, event: Event) -> None:
    outbox_service.bind_database(database)
    try:
        for handler in registry.handlers_for(event.type):
            if handler.__module__ == handlers.__name__:
                await handler(event)
    finally:
        outbox_service.bind_database(None)


@pytest.fixture
def smtp(monkeypatch) -> Iterator[Inbox]:
    """A running SMTP server, with ideaflow's SMTP settings pointed at it (no TLS on the loopback)."""
    controller, inbox = start_server()
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", controller.port)
    monkeypatch.setattr(settings, "smtp_security", "none")
    monkeypatch.setattr(settings, "smtp_from", "Ideaflow <notify@ideaflow.test>")
    try:
        yield inbox
    finally:
        controller.stop()
