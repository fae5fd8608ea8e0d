"""Turning events into follows, in-app notifications and emails, run by the outbox after commit.

Guarantee: at least once, with dedupe. Follows, notifications and email deliveries are unique per
(event, person) and inserted ignoring conflicts, so processing an event twice changes nothing. An email is
recorded (pending) before it is sent and marked sent right after, in its own transaction: a retried event
sends only what is still pending. The one window left is a crash after the SMTP server accepted a message
and before it was marked; that message goes out again, with the same Message-ID so mail clients can
fold the two. A refused message raises, and the outbox retries the event with backoff."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import parseaddr

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board, Visibility
from ideaflow.comments.models import Comment
from ideaflow.config import get_settings
from ideaflow.db import Database
from ideaflow.ideas.models import Idea
from ideaflow.mail import build_message, is_configured, render_email, send
from ideaflow.mail.message import absolute_url
from ideaflow.notifications import repository
from ideaflow.notifications.models import DeliveryStatus, EmailDelivery, EmailFrequency, SubscriptionReason
from ideaflow.notifications.service import EVENT_TOPICS, default_preferences, unsubscribe_token
from ideaflow.outbox import Event
from ideaflow.statuses import service as status_service
from ideaflow.statuses.models import OfficialResponse
from ideaflow.workspaces.models import Workspace

log = logging.getLogger("ideaflow.notifications")

AUTO_FOLLOW = {
    "idea.created": SubscriptionReason.author,
    "vote.cast": SubscriptionReason.voter,
    "comment.created": SubscriptionReason.commenter,
}


def status_label(key: str | None, names: dict[str, str]) -> str:
    if not key:
        return "?"
    return names.get(key) or key.replace("_", " ").replace("-", " ").capitalize()


async def status_names(session: AsyncSession, workspace_id: int) -> dict[str, str]:
    return {s.key: s.name for s in await status_service.list_statuses(session, workspace_id=workspace_id)}


async def handle_event(database: Database, event: Event) -> None:
    """The one entry point: follow, fan out, then send what is owed for this event."""
    if event.type.startswith("note.") or event.workspace_id is None:
        return  # internal staff notes never reach customers
    if event.type in AUTO_FOLLOW:
        async with database.write() as session, session.begin():
            await auto_follow(session, event)
    if event.type in EVENT_TOPICS:
        async with database.write() as session, session.begin():
            await fan_out(session, event)
        await send_pending(database, event.id)


async def _load_idea(session: AsyncSession, event: Event) -> Idea | None:
    idea_id = event.payload.get("idea_id")
    if not isinstance(idea_id, int):
        return None
    idea = await session.get(Idea, idea_id)
    if idea is None or idea.workspace_id != event.workspace_id:
        return None
    if idea.moderation_state != "approved":
        return None  # unpublished ideas tell nobody anything
    return idea


async def auto_follow(session: AsyncSession, event: Event) -> None:
    actor_id = event.payload.get("actor_id")
    idea = await _load_idea(session, event)
    if idea is None or not isinstance(actor_id, int):
        return
    await repository.follow_automatically(
        session, workspace_id=idea.workspace_id, user_id=actor_id, idea_id=idea.id, reason=AUTO_FOLLOW[event.type]
    )


def _recipients(rows, *, idea_id: int, new_idea: bool) -> set[int]:
    """An explicit row on the idea decides; otherwise following the board counts. A new idea reaches the
    board's followers only."""
    on_idea: dict[int, bool] = {}
    on_board: set[int] = set()
    for user_id, row_idea_id, unsubscribed in rows:
        if row_idea_id == idea_id:
            on_idea[user_id] = not unsubscribed
        elif not unsubscribed:
            on_board.add(user_id)
    if new_idea:
        return {u for u in on_board if on_idea.get(u, True)}
    return {u for u, following in on_idea.items() if following} | {u for u in on_board if u not in on_idea}


def may_email(user: User) -> bool:
    """Verified addresses, and placeholder accounts whose address staff entered for them; never an address
    someone typed at sign-up without proving it is theirs."""
    if user.email.endswith(".invalid"):
        return False  # reserved, never deliverable: stand-in addresses of people known only to a widget
    return user.email_verified_at is not None or user.password_hash is None


async def fan_out(session: AsyncSession, event: Event) -> None:
    idea = await _load_idea(session, event)
    if idea is None or idea.deleted_at is not None:
        return
    board = await session.get(Board, idea.board_id)
    actor_id = event.payload.get("actor_id")
    rows = await repository.subscriptions_for(session, idea_id=idea.id, board_id=idea.board_id)
    recipients = _recipients(rows, idea_id=idea.id, new_idea=event.type == "idea.created") - {actor_id}
    if not recipients:
        return
    users = await repository.active_users(session, recipients)
    if board is None or board.visibility == Visibility.private:
        # Visibility is checked now, not when they followed: former members hear nothing more.
        allowed = await repository.member_ids(session, idea.workspace_id, users)
        users = {uid: user for uid, user in users.items() if uid in allowed}
    if not users:
        return
    prefs = await repository.preferences_for(session, users)
    data = await _event_data(session, event, board)
    topic = EVENT_TOPICS[event.type]
    common = {
        "event_id": event.id,
        "event_type": event.type,
        "workspace_id": idea.workspace_id,
        "idea_id": idea.id,
        "actor_id": actor_id if isinstance(actor_id, int) else None,
        "data": data,
    }
    for user_id, user in users.items():
        pref = prefs.get(user_id) or default_preferences(user_id)
        if not getattr(pref, topic):
            continue
        if pref.in_app_enabled:
            await repository.add_notification(session, user_id=user_id, **common)
        if pref.email_enabled and may_email(user):
            daily = pref.email_frequency == EmailFrequency.daily
            status = DeliveryStatus.queued if daily else DeliveryStatus.pending
            await repository.add_delivery(session, user_id=user_id, status=status.value, **common)


async def _event_data(session: AsyncSession, event: Event, board: Board | None) -> dict:
    payload = event.payload
    data: dict = {}
    if event.type == "idea.status_changed":
        names = await status_names(session, event.workspace_id)
        data["from_status"] = payload.get("from_status")
        data["to_status"] = payload.get("to_status")
        data["from_name"] = status_label(payload.get("from_status"), names)
        data["to_name"] = status_label(payload.get("to_status"), names)
    for key in ("comment_id", "response_id"):
        if isinstance(payload.get(key), int):
            data[key] = payload[key]
    if event.type == "idea.created" and board is not None:
        data["board_name"] = board.name
    return data


# Sending.


def _domain() -> str:
    return parseaddr(get_settings().smtp_from)[1].rpartition("@")[2] or "localhost"


def message_id(delivery_id: int, kind: str = "n") -> str:
    return f"<ideaflow.{kind}{delivery_id}@{_domain()}>"


async def _mark(database: Database, ids: list[int], status: DeliveryStatus) -> None:
    async with database.write() as session, session.begin():
        now = datetime.now(UTC) if status == DeliveryStatus.sent else None
        await repository.settle_deliveries(session, ids=ids, status=status, at=now)


async def send_pending(database: Database, event_id: int) -> int:
    """Send this event's instant emails that have not gone out yet; returns how many were sent."""
    async with database.read() as session:
        deliveries = await repository.pending_deliveries(session, event_id)
        if not deliveries:
            return 0
        context = await _delivery_context(session, deliveries)
    if not is_configured():
        log.warning("SMTP is not configured (IDEAFLOW_SMTP_HOST): %s notification emails skipped", len(deliveries))
        await _mark(database, [d.id for d in deliveries], DeliveryStatus.skipped)
        return 0
    sent = 0
    for delivery in deliveries:
        email = context.email_for(delivery)
        if email is None:
            await _mark(database, [delivery.id], DeliveryStatus.skipped)
            continue
        email.message_id = message_id(delivery.id)
        await send(build_message(email, sender_name=context.workspaces[delivery.workspace_id].name))
        await _mark(database, [delivery.id], DeliveryStatus.sent)
        sent += 1
    return sent


class _Context:
    """Everything the emails of a batch of deliveries need, loaded with a fixed number of queries."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.ideas: dict[int, Idea] = {}
        self.boards: dict[int, Board] = {}
        self.workspaces: dict[int, Workspace] = {}
        self.members: set[tuple[int, int]] = set()
        self.actors: dict[int, str] = {}
        self.comments: dict[int, Comment] = {}
        self.responses: dict[int, OfficialResponse] = {}

    def visible(self, delivery: EmailDelivery) -> bool:
        idea = self.ideas.get(delivery.idea_id)
        user = self.users.get(delivery.user_id)
        if idea is None or idea.deleted_at is not None or user is None:
            return False
        board = self.boards.get(idea.board_id)
        if board is None or board.visibility == Visibility.private:
            return (delivery.workspace_id, delivery.user_id) in self.members
        return True

    def item(self, delivery: EmailDelivery) -> dict:
        idea = self.ideas[delivery.idea_id]
        workspace = self.workspaces[delivery.workspace_id]
        data = delivery.data or {}
        actor = self.actors.get(delivery.actor_id or 0, "Someone")
        comment = self.comments.get(data.get("comment_id") or 0)
        response = self.responses.get(data.get("response_id") or 0)
        if response is None and delivery.event_type == "idea.response_posted":
            response = self.responses.get(-idea.id)  # the idea's latest response
        anchor = f"#comment-{comment.id}" if comment is not None else ""
        headline = {
            "idea.status_changed": f"Status changed from {data.get('from_name')} to {data.get('to_name')}",
            "idea.response_posted": f"{actor} posted an official response",
            "comment.created": f"{actor} commented",
            "idea.created": f"{actor} posted a new idea on {data.get('board_name', 'a board you follow')}",
            "idea.merged": f"{actor} merged this idea into #{data['target_number']}"
            if data.get("target_number")
            else f"{actor} merged this idea into another",
        }.get(delivery.event_type, "There is news")
        return {
            "event_type": delivery.event_type,
            "headline": headline,
            "workspace_name": workspace.name,
            "idea_title": idea.title,
            "idea_number": idea.number,
            "idea_url": absolute_url(f"/{workspace.slug}/ideas/{idea.number}{anchor}"),
            "from_name": data.get("from_name"),
            "to_name": data.get("to_name"),
            "response_html": response.body_html if response is not None else None,
            "response_text": response.body if response is not None else None,
            "comment_html": comment.body_html if comment is not None and comment.deleted_at is None else None,
            "comment_text": comment.body if comment is not None and comment.deleted_at is None else None,
            "actor_name": actor,
        }

    def email_for(self, delivery: EmailDelivery):
        if not self.visible(delivery):
            return None
        item = self.item(delivery)
        user = self.users[delivery.user_id]
        token = unsubscribe_token(user_id=user.id, idea_id=delivery.idea_id, workspace_id=delivery.workspace_id)
        return render_email(
            "notification",
            to=user.email,
            subject=f"[{item['workspace_name']}] {item['idea_title']}: {item['headline']}",
            context={"item": item, "user": user, "workspace_name": item["workspace_name"]},
            unsubscribe_url=absolute_url(f"/unsubscribe/{token}"),
        )


async def _delivery_context(session: AsyncSession, deliveries: list[EmailDelivery]) -> _Context:
    ctx = _Context()
    user_ids = {d.user_id for d in deliveries}
    ctx.users = await repository.active_users(session, user_ids)
    ideas = await repository.ideas_with_workspaces(session, [d.idea_id for d in deliveries])
    for idea, workspace in ideas.values():
        ctx.ideas[idea.id] = idea
        ctx.workspaces[workspace.id] = workspace
    board_ids = {idea.board_id for idea in ctx.ideas.values()}
    if board_ids:
        ctx.boards = {b.id: b for b in await session.scalars(select(Board).where(Board.id.in_(board_ids)))}
    for workspace_id in {d.workspace_id for d in deliveries}:
        members = await repository.member_ids(session, workspace_id, user_ids)
        ctx.members |= {(workspace_id, uid) for uid in members}
    actor_ids = {d.actor_id for d in deliveries if d.actor_id}
    if actor_ids:
        rows = await session.execute(select(User.id, User.name).where(User.id.in_(actor_ids)))
        ctx.actors = {uid: name for uid, name in rows.all()}
    comment_ids = {d.data.get("comment_id") for d in deliveries if (d.data or {}).get("comment_id")}
    if comment_ids:
        ctx.comments = {c.id: c for c in await session.scalars(select(Comment).where(Comment.id.in_(comment_ids)))}
    response_ids = {d.data.get("response_id") for d in deliveries if (d.data or {}).get("response_id")}
    if response_ids:
        found = await session.scalars(select(OfficialResponse).where(OfficialResponse.id.in_(response_ids)))
        ctx.responses = {r.id: r for r in found}
    bare = {d.idea_id for d in deliveries if d.event_type == "idea.response_posted" and not d.data.get("response_id")}
    if bare:
        found = await session.scalars(
            select(OfficialResponse).where(OfficialResponse.idea_id.in_(bare)).order_by(OfficialResponse.id)
        )
        for response in found:
            ctx.responses[-response.idea_id] = response
    return ctx


# The daily digest.


async def send_due_digests(database: Database, *, now: datetime | None = None) -> int:
    """Send each person with queued notifications one email listing them; returns how many were sent.
    Deliveries are claimed (marked sent) before the message goes out and put back if it is refused, so
    two workers running this at once never send the same item twice (at most once; a crash between the
    claim and the send loses that one digest, which the in-app inbox still holds)."""
    now = now or datetime.now(UTC)
    if not is_configured():
        log.warning("SMTP is not configured (IDEAFLOW_SMTP_HOST): daily digests not sent")
        return 0
    async with database.read() as session:
        user_ids = await repository.users_with_queued_digest(session, before=now)
    sent = 0
    for user_id in user_ids:
        async with database.write() as session, session.begin():
            deliveries = await repository.queued_for_user(session, user_id=user_id, before=now)
            context = await _delivery_context(session, deliveries)
            visible = [d for d in deliveries if context.visible(d)]
            hidden = [d.id for d in deliveries if not context.visible(d)]
            await repository.settle_deliveries(session, ids=hidden, status=DeliveryStatus.skipped, at=None)
            claimed = set(await repository.claim_deliveries(session, ids=[d.id for d in visible], at=now))
            visible = [d for d in visible if d.id in claimed]
        user = context.users.get(user_id)
        if not visible or user is None:
            continue
        by_workspace: dict[str, list[dict]] = defaultdict(list)
        for delivery in visible:
            item = context.item(delivery)
            by_workspace[item["workspace_name"]].append(item)
        count = len(visible)
        email = render_email(
            "digest",
            to=user.email,
            subject=f"Your daily ideaflow digest: {count} update{'' if count == 1 else 's'}",
            context={"groups": sorted(by_workspace.items()), "user": user, "count": count},
            unsubscribe_url=absolute_url(f"/unsubscribe/{unsubscribe_token(user_id=user.id)}"),
        )
        email.message_id = message_id(visible[0].id, kind="d")
        try:
            await send(build_message(email))
        except Exception as exc:
            # Put them back for the next run and go on with the others.
            async with database.write() as session, session.begin():
                await _requeue(session, [d.id for d in visible])
            log.warning("daily digest for user %s not sent: %s", user_id, exc.__class__.__name__)
            continue
        sent += 1
    return sent


async def _requeue(session: AsyncSession, ids: list[int]) -> None:
    await session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.id.in_(ids))
        .values(status=DeliveryStatus.queued, sent_at=None)
        .execution_options(synchronize_session=False)
    )
