"""Email is sent by the outbox handler after commit: an SMTP server that refuses makes the event retry,
and the retry sends only what had not gone out yet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ideaflow.db import Database, utcnow
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.notifications import handlers
from ideaflow.notifications.models import DeliveryStatus, EmailDelivery
from ideaflow.outbox import Registry
from ideaflow.outbox import service as outbox_service
from ideaflow.outbox.models import OutboxEvent, OutboxStatus
from ideaflow.outbox.worker import OutboxWorker, WorkerOptions
from ideaflow.statuses import service as status_service
from ideaflow.votes import service as vote_service
from tests.factories import context, make_idea, make_user, make_workspace, owner_context


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self):
        return utcnow() + self.offset


def _worker(database: Database, clock: Clock) -> OutboxWorker:
    registry = Registry()
    for pattern in ("idea.created", "vote.cast", "idea.status_changed"):
        registry.register(pattern, handlers.on_idea_event)
    options = WorkerOptions(backoff_base_seconds=1.0, max_attempts=5)
    return OutboxWorker(database, options=options, registry=registry, clock=clock, jitter=lambda ceiling: ceiling)


async def _status_event(database: Database) -> OutboxEvent:
    async with database.read() as session:
        return await session.scalar(select(OutboxEvent).where(OutboxEvent.type == "idea.status_changed"))


async def _delivery_states(database: Database) -> dict[int, DeliveryStatus]:
    async with database.read() as session:
        rows = await session.execute(select(EmailDelivery.user_id, EmailDelivery.status))
        return dict(rows.all())


async def test_a_refusing_smtp_server_makes_the_event_retry_and_the_retry_sends_only_the_rest(committed_database, smtp):
    database = committed_database
    async with database.write() as session, session.begin():
        workspace = await make_workspace(session)
        author, voter = await make_user(session), await make_user(session)
        idea = await make_idea(session, workspace, author=author)
        ctx = await context(session, workspace, voter)
        await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    clock = Clock()
    worker = _worker(database, clock)
    outbox_service.bind_database(database)
    try:
        await worker.run_once()  # the author and the voter follow
        async with database.write() as session, session.begin():
            owner = await owner_context(session, workspace)
            await status_service.set_status(
                session,
                workspace_id=workspace.id,
                idea=await session.get(Idea, idea.id),
                status_key="planned",
                actor_id=owner.user.id,
            )

        smtp.accept_first, smtp.refuse_next = 1, 1  # the first message goes out, the second is refused
        await worker.run_once()
        event = await _status_event(database)
        assert (event.status, event.attempts) == (OutboxStatus.pending, 1)
        assert "451" in event.last_error
        states = await _delivery_states(database)
        assert sorted(states.values()) == [DeliveryStatus.pending, DeliveryStatus.sent]
        [first] = smtp.messages

        clock.offset += timedelta(seconds=5)  # past the backoff
        await worker.run_once()
        event = await _status_event(database)
        assert (event.status, event.attempts) == (OutboxStatus.delivered, 2)
        assert set((await _delivery_states(database)).values()) == {DeliveryStatus.sent}
        recipients = [m.rcpt_tos[0] for m in smtp.messages]
        assert sorted(recipients) == sorted([author.email, voter.email])  # each exactly once
        assert recipients[0] == first.rcpt_tos[0]
        assert smtp.refused == 1
    finally:
        outbox_service.bind_database(None)
