"""The transactional outbox: domain events written in the request's transaction, delivered after commit
by a worker (in process on SQLite, `ideaflow worker` processes on PostgreSQL), at least once, with retries.

    from ideaflow import outbox
    await outbox.emit(session, type="idea.created", workspace_id=ws.id, payload={"idea_id": idea.id})
    outbox.register("idea.*", notify_subscribers)   # async def notify_subscribers(event: outbox.Event)
"""

from ideaflow.outbox.service import (
    Event,
    Handler,
    Registry,
    bind_database,
    emit,
    handler_database,
    notify,
    register,
    registry,
)

__all__ = [
    "Event",
    "Handler",
    "Registry",
    "bind_database",
    "emit",
    "handler_database",
    "notify",
    "register",
    "registry",
]
