"""Moderation: pre-moderation settings, spam signals, the queue (approve / reject with a reason) and blocking
users from posting and voting.

Content that waits (`pending`) or was turned down (`rejected`) is seen by its author and staff only, and is
announced (`idea.created`, `comment.created`: emails, webhooks, auto-follow) only once approved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideaflow.audit import service as audit
from ideaflow.comments.models import Comment
from ideaflow.db import ID_MAX
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.ideas.models import Idea
from ideaflow.ideas.schemas import NUMBER_MAX
from ideaflow.moderation import repository
from ideaflow.moderation.models import ModerationSettings, ModerationState, UserBlock
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Role
from ideaflow.workspaces.service import WorkspaceContext

# ---------------------------------------------------------------- spam signals
# Each signal queues a non-staff post for approval even when pre-moderation is off (unless the workspace turned
# spam signals off). They are deliberately blunt: a person who trips one waits for a moderator, nothing worse.

# "Many links": more than this many URLs (http://, https:// or www.) in the title and body together.
LINKS_MAX = 3
# "New account posting fast": an account younger than NEW_ACCOUNT_AGE that already posted BURST_POSTS ideas or
# comments in this workspace within the last BURST_WINDOW (more than one every 40 seconds) has its next posts
# queued. Set high enough that an eager newcomer at a workshop is not caught; scripts post far faster.
NEW_ACCOUNT_AGE = timedelta(days=1)
BURST_WINDOW = timedelta(minutes=5)
BURST_POSTS = 8
# "Repeated text": an idea with the same title, or the same body of at least REPEAT_MIN_CHARS characters, as
# one of the author's ideas in this workspace within REPEAT_WINDOW; a comment with the same body as one of their
# comments there (ignoring case and spacing). Short bodies ("+1", "Me too") are left alone: people legitimately
# say them more than once.
REPEAT_WINDOW = timedelta(hours=24)
REPEAT_MIN_CHARS = 20

SIGNAL_LINKS = "Spam signal: many links"
SIGNAL_BURST = "Spam signal: new account posting fast"
SIGNAL_REPEAT = "Spam signal: repeated text"
PREMODERATION = "Pre-moderation"

REASON_MAX = 500
QUEUE_LIMIT = 100

_URL = re.compile(r"(?i)\bhttps?://|\bwww\.")

Kind = Literal["idea", "comment"]


@dataclass(frozen=True)
class Policy:
    """A workspace's moderation settings (the defaults when it never saved any)."""

    premoderate_ideas: bool = False
    premoderate_comments: bool = False
    spam_signals: bool = True


@dataclass(frozen=True)
class Screening:
    """What happens to a new post: published at once, or queued with the reason staff see in the queue."""

    state: ModerationState
    reason: str | None = None

    @property
    def published(self) -> bool:
        return self.state == ModerationState.approved


PUBLISHED = Screening(ModerationState.approved)


def _policy(row: ModerationSettings | None) -> Policy:
    if row is None:
        return Policy()
    return Policy(
        premoderate_ideas=row.premoderate_ideas,
        premoderate_comments=row.premoderate_comments,
        spam_signals=row.spam_signals,
    )


def _normalise(text: str) -> str:
    return " ".join((text or "").casefold().split())


def count_links(text: str) -> int:
    return len(_URL.findall(text or ""))


async def spam_signal(session: AsyncSession, ctx: WorkspaceContext, *, kind: Kind, title: str, body: str) -> str | None:
    """The first spam signal a post by the signed-in user trips, or None."""
    if count_links(f"{title} {body}") > LINKS_MAX:
        return SIGNAL_LINKS
    now = datetime.now(UTC)
    recent = await repository.recent_activity(session, ctx.workspace.id, ctx.user.id, since=now - REPEAT_WINDOW)
    new_account = ctx.user.created_at is not None and now - _aware(ctx.user.created_at) < NEW_ACCOUNT_AGE
    if new_account and sum(1 for *_, at in recent if _aware(at) >= now - BURST_WINDOW) >= BURST_POSTS:
        return SIGNAL_BURST
    same_title = _normalise(title) if kind == "idea" else ""
    same_body = _normalise(body)
    for earlier_kind, earlier_title, earlier_body, _ in recent:
        if earlier_kind != kind:
            continue  # an idea's author quoting it in a comment is not spam
        if same_title and _normalise(earlier_title) == same_title:
            return SIGNAL_REPEAT
        if len(same_body) >= REPEAT_MIN_CHARS and _normalise(earlier_body) == same_body:
            return SIGNAL_REPEAT
    return None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def screen(session: AsyncSession, ctx: WorkspaceContext, *, kind: Kind, title: str = "", body: str) -> Screening:
    """Decide whether a new idea or comment by the signed-in user is published or queued. Staff are trusted."""
    if ctx.user is None or ctx.is_staff:
        return PUBLISHED
    policy = _policy(await repository.get_settings(session, ctx.workspace.id))
    if policy.spam_signals:
        signal = await spam_signal(session, ctx, kind=kind, title=title, body=body)
        if signal is not None:
            return Screening(ModerationState.pending, signal)
    if policy.premoderate_ideas if kind == "idea" else policy.premoderate_comments:
        return Screening(ModerationState.pending, PREMODERATION)
    return PUBLISHED


# ---------------------------------------------------------------- who may see and take part


async def ensure_can_participate(session: AsyncSession, ctx: WorkspaceContext) -> None:
    """Raise Forbidden when the signed-in user is blocked in this workspace (they cannot post, comment or vote)."""
    if ctx.user is None:
        return None
    blocked = ctx.blocked
    if blocked is None:  # a context not loaded per request (widget sessions, jobs): ask
        blocked = await repository.is_blocked(session, ctx.workspace.id, ctx.user.id)
    if blocked:
        raise Forbidden(
            "You have been blocked in this workspace: you cannot post ideas, comment or vote here.",
            code="blocked",
        )
    return None


def may_see(ctx: WorkspaceContext, *, state: ModerationState, author_id: int) -> bool:
    """Approved content is for everyone; the rest for staff, and pending or rejected content for its author."""
    if state == ModerationState.approved or ctx.is_staff:
        return True
    own = ctx.user is not None and ctx.user.id == author_id
    return own and state in (ModerationState.pending, ModerationState.rejected)


# ---------------------------------------------------------------- settings


async def get_policy(session: AsyncSession, ctx: WorkspaceContext) -> Policy:
    workspace_service.require_admin(ctx)
    return _policy(await repository.get_settings(session, ctx.workspace.id))


async def update_policy(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    premoderate_ideas: bool | None = None,
    premoderate_comments: bool | None = None,
    spam_signals: bool | None = None,
) -> Policy:
    """Change the workspace's moderation settings (admins); the audit row holds the changed fields only."""
    workspace_service.require_admin(ctx)
    row = await repository.get_settings(session, ctx.workspace.id)
    if row is None:
        row = ModerationSettings(workspace_id=ctx.workspace.id, updated_at=datetime.now(UTC), **vars(Policy()))
        session.add(row)
    wanted = {
        "premoderate_ideas": premoderate_ideas,
        "premoderate_comments": premoderate_comments,
        "spam_signals": spam_signals,
    }
    before, after = {}, {}
    for name, value in wanted.items():
        current = getattr(row, name)
        if value is not None and value != current:
            before[name], after[name] = current, value
            setattr(row, name, value)
    if after:
        row.updated_at = datetime.now(UTC)
    await session.flush()
    if after:
        await audit.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="moderation_settings.updated",
            target_type="workspace",
            target_id=ctx.workspace.id,
            before=before,
            after=after,
        )
    return _policy(row)


# ---------------------------------------------------------------- the queue


@dataclass
class Queue:
    ideas: list[repository.QueuedIdea]
    comments: list[repository.QueuedComment]
    blocked_user_ids: set[int]

    @property
    def empty(self) -> bool:
        return not self.ideas and not self.comments


async def queue(session: AsyncSession, ctx: WorkspaceContext) -> Queue:
    """Ideas and comments waiting for approval, oldest first (three queries, whatever the length)."""
    workspace_service.require_staff(ctx)
    ideas = await repository.pending_ideas(session, ctx.workspace.id, limit=QUEUE_LIMIT)
    comments = await repository.pending_comments(session, ctx.workspace.id, limit=QUEUE_LIMIT)
    blocked = {b.block.user_id for b in await repository.list_blocks(session, ctx.workspace.id)}
    return Queue(ideas=ideas, comments=comments, blocked_user_ids=blocked)


def _clean_reason(reason: str | None, *, required: bool) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise Invalid.field("reason", "is required: the author sees it")
    if len(reason) > REASON_MAX:
        raise Invalid.field("reason", f"must be at most {REASON_MAX} characters")
    return reason


async def _record(ctx: WorkspaceContext, session: AsyncSession, action: str, target_type: str, target_id: int, **kw):
    await audit.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id if ctx.user else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=kw.get("before"),
        after=kw.get("after"),
    )


def _check_decidable(state: ModerationState, what: str) -> None:
    if state == ModerationState.hidden:
        raise Conflict(f"This {what} is hidden because its author is blocked: unblock them to restore it.")


async def approve_idea(session: AsyncSession, ctx: WorkspaceContext, *, idea: Idea) -> None:
    """Publish a pending or rejected idea and announce it (`idea.created`, as if posted now). Approving an
    approved idea changes nothing."""
    from ideaflow.ideas import service as idea_service

    workspace_service.require_staff(ctx)
    if idea.workspace_id != ctx.workspace.id or idea.deleted_at is not None:
        raise NotFound("No such idea.")
    state = ModerationState(idea.moderation_state)
    if state == ModerationState.approved:
        return
    _check_decidable(state, "idea")
    before = {"moderation_state": state.value, "moderation_reason": idea.moderation_reason}
    idea.moderation_state = ModerationState.approved
    idea.updated_at = datetime.now(UTC)
    idea.moderation_reason = None
    await session.flush()
    await _record(ctx, session, "idea.approved", "idea", idea.id, before=before, after={"moderation_state": "approved"})
    await idea_service.announce_idea(session, idea)


async def reject_idea(session: AsyncSession, ctx: WorkspaceContext, *, idea: Idea, reason: str) -> None:
    """Turn down a pending idea: it stays unpublished and its author sees `reason`. Staff may approve it later."""
    workspace_service.require_staff(ctx)
    if idea.workspace_id != ctx.workspace.id or idea.deleted_at is not None:
        raise NotFound("No such idea.")
    reason = _clean_reason(reason, required=True)
    state = ModerationState(idea.moderation_state)
    if state != ModerationState.pending:
        raise Conflict(
            "Only ideas waiting for approval can be rejected.", fields={"idea": f"is {state.value}, not pending"}
        )
    before = {"moderation_state": state.value, "moderation_reason": idea.moderation_reason}
    idea.moderation_state = ModerationState.rejected
    idea.updated_at = datetime.now(UTC)
    idea.moderation_reason = reason
    await session.flush()
    after = {"moderation_state": "rejected", "moderation_reason": reason}
    await _record(ctx, session, "idea.rejected", "idea", idea.id, before=before, after=after)


async def approve_comment(session: AsyncSession, ctx: WorkspaceContext, *, comment: Comment) -> None:
    """Publish a pending or rejected comment: it now counts on its idea and is announced (`comment.created`)."""
    from ideaflow.comments import service as comment_service
    from ideaflow.ideas import repository as idea_repository

    workspace_service.require_staff(ctx)
    if comment.workspace_id != ctx.workspace.id or comment.internal or comment.deleted_at is not None:
        raise NotFound("No such comment.")
    state = ModerationState(comment.moderation_state)
    if state == ModerationState.approved:
        return
    _check_decidable(state, "comment")
    before = {"moderation_state": state.value, "moderation_reason": comment.moderation_reason}
    comment.moderation_state = ModerationState.approved
    comment.moderation_reason = None
    await session.flush()
    idea = await session.get(Idea, comment.idea_id)
    _, count = await idea_repository.change_counters(session, idea.id, comments=+1)
    set_committed_value(idea, "comment_count", count)
    after = {"moderation_state": "approved"}
    await _record(ctx, session, "comment.approved", "comment", comment.id, before=before, after=after)
    await comment_service.announce_comment(session, comment, idea)


async def reject_comment(session: AsyncSession, ctx: WorkspaceContext, *, comment: Comment, reason: str) -> None:
    workspace_service.require_staff(ctx)
    if comment.workspace_id != ctx.workspace.id or comment.internal or comment.deleted_at is not None:
        raise NotFound("No such comment.")
    reason = _clean_reason(reason, required=True)
    state = ModerationState(comment.moderation_state)
    if state != ModerationState.pending:
        raise Conflict(
            "Only comments waiting for approval can be rejected.",
            fields={"comment": f"is {state.value}, not pending"},
        )
    before = {"moderation_state": state.value, "moderation_reason": comment.moderation_reason}
    comment.moderation_state = ModerationState.rejected
    comment.moderation_reason = reason
    await session.flush()
    after = {"moderation_state": "rejected", "moderation_reason": reason}
    await _record(ctx, session, "comment.rejected", "comment", comment.id, before=before, after=after)


async def get_idea(session: AsyncSession, ctx: WorkspaceContext, number: int) -> Idea:
    workspace_service.require_staff(ctx)
    # Numbers beyond what a workspace hands out are refused before the database compares with them.
    idea = (
        None if not 1 <= number <= NUMBER_MAX else await repository.get_idea(session, ctx.workspace.id, number=number)
    )
    if idea is None:
        raise NotFound("No such idea.")
    return idea


async def get_comment(session: AsyncSession, ctx: WorkspaceContext, comment_id: int) -> Comment:
    workspace_service.require_staff(ctx)
    comment = await repository.get_comment(session, ctx.workspace.id, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    return comment


# ---------------------------------------------------------------- blocking


async def list_blocks(session: AsyncSession, ctx: WorkspaceContext) -> list[repository.BlockRow]:
    workspace_service.require_staff(ctx)
    return await repository.list_blocks(session, ctx.workspace.id)


async def _set_content(
    session: AsyncSession, ctx: WorkspaceContext, user_id: int, *, source: ModerationState, target: ModerationState
) -> dict[str, int]:
    ideas = await repository.set_author_ideas_state(session, ctx.workspace.id, user_id, source=source, target=target)
    idea_ids = await repository.set_author_comments_state(
        session, ctx.workspace.id, user_id, source=source, target=target
    )
    counts = await repository.recount_comments(session, ctx.workspace.id, idea_ids)
    # Ideas already loaded in this request show the new counts (the states were synchronised by the updates).
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Idea) and obj.id in counts:
            set_committed_value(obj, "comment_count", counts[obj.id])
    return {"ideas": ideas, "ideas_with_comments": len(idea_ids)}


async def block_user(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    user_id: int | None = None,
    email: str | None = None,
    reason: str = "",
    hide_content: bool = False,
) -> UserBlock:
    """Stop someone posting, commenting and voting here. `hide_content` also hides what they already
    published (until they are unblocked); otherwise it stays. Staff cannot be blocked (change their role first)."""
    from ideaflow.accounts import repository as account_repository
    from ideaflow.accounts.service import normalise_email

    workspace_service.require_staff(ctx)
    reason = _clean_reason(reason, required=False)
    if user_id is not None:
        user = await account_repository.get_user(session, user_id) if 1 <= user_id <= ID_MAX else None
        if user is None:
            raise NotFound("No such person.", fields={"user_id": "no such person"})
    else:
        if not (email or "").strip():
            raise Invalid.field("email", "is required")
        user = await account_repository.get_user_by_email(session, normalise_email(email))
        if user is None:
            raise NotFound("No account uses that email.", fields={"email": "has no ideaflow account"})
    if user.id == ctx.user.id:
        raise Invalid.field("user", "you cannot block yourself")
    membership = await workspace_repository.get_membership(session, ctx.workspace.id, user.id)
    if membership is not None and Role(membership.role).is_staff:
        raise Conflict(
            "Staff of this workspace cannot be blocked: change their role first.",
            fields={"user": "is staff of this workspace"},
        )
    if await repository.get_block(session, ctx.workspace.id, user.id) is not None:
        raise Conflict("That person is already blocked.", fields={"user": "is already blocked"})
    block = UserBlock(
        workspace_id=ctx.workspace.id,
        user_id=user.id,
        blocked_by_id=ctx.user.id,
        reason=reason,
        hide_content=hide_content,
        created_at=datetime.now(UTC),
    )
    session.add(block)
    await session.flush()
    hidden = {}
    if hide_content:
        hidden = await _set_content(
            session, ctx, user.id, source=ModerationState.approved, target=ModerationState.hidden
        )
    after = {"reason": reason, "hide_content": hide_content, **({"hidden": hidden} if hide_content else {})}
    await _record(ctx, session, "user.blocked", "user", user.id, before=None, after=after)
    return block


async def unblock_user(session: AsyncSession, ctx: WorkspaceContext, *, user_id: int) -> None:
    """Lift a block; content hidden by it is published again."""
    workspace_service.require_staff(ctx)
    block = await repository.get_block(session, ctx.workspace.id, user_id)
    if block is None:
        raise NotFound("That person is not blocked.", fields={"user_id": "is not blocked"})
    before = {"reason": block.reason, "hide_content": block.hide_content}
    restored = {}
    if block.hide_content:
        restored = await _set_content(
            session, ctx, user_id, source=ModerationState.hidden, target=ModerationState.approved
        )
    await session.delete(block)
    await session.flush()
    after = {"restored": restored} if block.hide_content else None
    await _record(ctx, session, "user.unblocked", "user", user_id, before=before, after=after)
