"""Voting: one vote per person per idea, idempotent both ways, counters exact under concurrency.

A vote is +1 (for) or -1 (against, on boards that allow it), with an optional importance (on boards that offer
it). `ideas.vote_count` counts +1 votes; the trending score sums +1 votes; down-votes are counted in
`idea_scores.downvotes` for the confidence ranking; demand is recomputed in the same transaction.

Staff can also record a vote on a customer's behalf (by email; a placeholder account is created for an unknown
address) with where the request came from. Such a vote counts like any other and goes through the same code
path (`_apply`); only staff see its provenance. When the person later votes themself on that idea (a PUT, or the
"your vote" page), the vote becomes their own: its provenance is cleared (the audit log keeps the record of who
added it and why) and staff can no longer remove it for them. Staff cannot overwrite a vote a person cast
themself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideaflow import outbox
from ideaflow.accounts import repository as account_repository
from ideaflow.accounts.models import User
from ideaflow.accounts.service import normalise_email
from ideaflow.audit import service as audit_service
from ideaflow.errors import Conflict, Forbidden, Invalid, Unauthorized
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import trending
from ideaflow.ideas.models import Idea
from ideaflow.ideas.service import IdeaView
from ideaflow.kit.sql import dialect_name
from ideaflow.moderation import service as moderation_service
from ideaflow.ranking import service as ranking_service
from ideaflow.votes import repository
from ideaflow.votes.models import Importance
from ideaflow.votes.repository import NO_PROVENANCE, Provenance, StoredVote
from ideaflow.votes.schemas import ProxySource
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext


@dataclass
class VoteResult:
    voted: bool
    vote_count: int
    changed: bool
    value: int | None = None  # +1, -1, or None when the user has no vote
    importance: str | None = None


def _check_open(idea: Idea) -> None:
    if idea.merged_into_id is not None:
        # Its votes now count for the idea it was merged into; a vote here would count for nothing.
        raise Conflict("Voting is closed: this idea was merged into another one.", code="voting_closed")
    # The idea carries its status's category (kept in step by statuses/), so no status look-up is needed.
    if not idea.accepts_votes:
        state = "done" if idea.status_category == "done" else "closed"
        raise Conflict(f"Voting is closed: this idea is {state}.", code="voting_closed")


def _clean(value: int, importance: str | None) -> tuple[int, str | None]:
    if value not in (1, -1):
        raise Invalid.field("value", "must be 1 (for) or -1 (against)")
    if importance is not None and importance not in {i.value for i in Importance}:
        raise Invalid.field("importance", "must be nice_to_have, important or critical")
    return value, importance


async def _check_options(session: AsyncSession, idea: Idea, value: int, importance: str | None) -> None:
    if importance is None and value == 1:
        return
    options = await ranking_service.board_options(session, idea.board_id)
    if importance is not None and not options.importance_enabled:
        raise Invalid.field("importance", "is not asked for on this board")
    if value == -1 and not options.downvotes_enabled:
        raise Invalid.field("value", "votes against are not allowed on this board")


@dataclass
class _Applied:
    result: VoteResult
    event: str | None  # "vote.cast", "vote.changed", or None when nothing a subscriber cares about changed
    before: StoredVote | None  # the vote as it was; None when this call cast it


async def _apply(
    session: AsyncSession,
    workspace_id: int,
    idea: Idea,
    voter_id: int,
    *,
    value: int,
    importance: str | None,
    provenance: Provenance | None,
) -> _Applied:
    """Cast or change one person's vote, keeping the counters exact: the one code path for a person's own vote
    (`provenance` None: the vote is, or becomes, theirs) and for a vote staff record for them (`provenance` set;
    refused when the person already voted themself). `importance` None keeps the one already chosen."""
    now = datetime.now(UTC)
    half_life = await ranking_service.trending_half_life(session, workspace_id)
    dialect = dialect_name(session)
    if await repository.insert_vote(
        session, workspace_id, idea.id, voter_id, now, value=value, importance=importance, provenance=provenance
    ):
        if value == 1:
            x = trending.point(now, half_life)
            votes, _ = await idea_repository.change_counters(
                session, idea.id, votes=1, trending=trending.sql_add(Idea.trending_score, x, dialect)
            )
            set_committed_value(idea, "vote_count", votes)
        await ranking_service.refresh_scores(session, workspace_id=workspace_id, idea_ids=[idea.id])
        return _Applied(VoteResult(value == 1, idea.vote_count, True, value, importance), "vote.cast", None)
    current = await repository.get_vote(session, workspace_id, idea.id, voter_id)
    if current is None:  # withdrawn by a concurrent request between our insert and this read
        return _Applied(VoteResult(False, idea.vote_count, False), None, None)
    unchanged = _Applied(
        VoteResult(current.value == 1, idea.vote_count, False, current.value, current.importance), None, current
    )
    if provenance is not None and not current.on_behalf:
        raise Conflict(
            "This person has already voted on this idea themself; their own vote stays as it is.",
            fields={"email": "has already voted on this idea themself"},
            code="own_vote",
        )
    importance = current.importance if importance is None else importance
    columns = None
    if provenance is None and current.on_behalf:
        columns = NO_PROVENANCE  # they vote themself now: the vote is theirs
    elif provenance is not None and provenance != current.provenance():
        columns = provenance.columns()
    vote_changed = (current.value, current.importance) != (value, importance)
    if not vote_changed and columns is None:
        return unchanged
    if not await repository.change_vote(
        session, current, value=value, importance=importance, at=now, provenance=columns
    ):
        return unchanged  # changed concurrently: that change stands
    if value != current.value:
        if value == 1:
            expression = trending.sql_add(Idea.trending_score, trending.point(now, half_life), dialect)
            votes, _ = await idea_repository.change_counters(session, idea.id, votes=1, trending=expression)
        else:
            expression = trending.sql_remove(
                Idea.trending_score,
                trending.point(current.created_at, half_life),
                trending.point(idea.created_at, half_life),
                dialect,
            )
            votes, _ = await idea_repository.change_counters(session, idea.id, votes=-1, trending=expression)
        set_committed_value(idea, "vote_count", votes)
    if vote_changed:
        await ranking_service.refresh_scores(session, workspace_id=workspace_id, idea_ids=[idea.id])
    event = "vote.changed" if vote_changed else None
    return _Applied(VoteResult(value == 1, idea.vote_count, True, value, importance), event, current)


async def _after_removal(session: AsyncSession, workspace_id: int, idea: Idea, removed: StoredVote) -> None:
    if removed.value == 1:
        half_life = await ranking_service.trending_half_life(session, workspace_id)
        expression = trending.sql_remove(
            Idea.trending_score,
            trending.point(removed.created_at, half_life),
            trending.point(idea.created_at, half_life),
            dialect_name(session),
        )
        votes, _ = await idea_repository.change_counters(session, idea.id, votes=-1, trending=expression)
        set_committed_value(idea, "vote_count", votes)
    await ranking_service.refresh_scores(session, workspace_id=workspace_id, idea_ids=[idea.id])


async def add_vote(
    session: AsyncSession, ctx: WorkspaceContext, view: IdeaView, *, value: int = 1, importance: str | None = None
) -> VoteResult:
    """Vote for (value 1) or against (-1) an idea, optionally saying how important it is. Repeating the same
    vote changes nothing; a different direction or importance changes the vote in place (`vote.changed`).
    Leaving `importance` out keeps the one already chosen. A vote staff recorded for this person becomes theirs."""
    if ctx.user is None:
        raise Unauthorized("Sign in to vote.")
    await moderation_service.ensure_can_participate(session, ctx)
    idea = view.idea
    _check_open(idea)
    value, importance = _clean(value, importance)
    await _check_options(session, idea, value, importance)
    applied = await _apply(
        session, ctx.workspace.id, idea, ctx.user.id, value=value, importance=importance, provenance=None
    )
    if applied.event:
        result = applied.result
        await _emit(
            session,
            ctx.workspace.id,
            idea,
            applied.event,
            actor_id=ctx.user.id,
            value=result.value,
            importance=result.importance,
        )
    return applied.result


async def remove_vote(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> VoteResult:
    if ctx.user is None:
        raise Unauthorized("Sign in to vote.")
    await moderation_service.ensure_can_participate(session, ctx)
    idea = view.idea
    _check_open(idea)
    removed = await repository.delete_vote(session, ctx.workspace.id, idea.id, ctx.user.id)
    if removed is None:
        return VoteResult(voted=False, vote_count=idea.vote_count, changed=False)
    await _after_removal(session, ctx.workspace.id, idea, removed)
    await _emit(
        session,
        ctx.workspace.id,
        idea,
        "vote.withdrawn",
        actor_id=ctx.user.id,
        value=removed.value,
        importance=removed.importance,
    )
    return VoteResult(voted=False, vote_count=idea.vote_count, changed=True)


async def my_vote(session: AsyncSession, ctx: WorkspaceContext, idea: Idea) -> VoteResult:
    """The viewer's current vote on an idea (value None: no vote)."""
    if ctx.user is None:
        return VoteResult(False, idea.vote_count, False)
    current = await repository.get_vote(session, ctx.workspace.id, idea.id, ctx.user.id)
    if current is None:
        return VoteResult(False, idea.vote_count, False)
    return VoteResult(current.value == 1, idea.vote_count, False, current.value, current.importance)


# ---------------------------------------------------------------- votes recorded on a customer's behalf

NOTE_MAX = 2000
LINK_MAX = 500


@dataclass
class OnBehalfVote:
    """A vote staff recorded for someone, as staff see it."""

    user_id: int
    name: str
    email: str
    signed_up: bool
    source: ProxySource
    note: str | None
    link: str | None
    importance: str | None
    added_by_id: int | None
    added_by_name: str | None
    created_at: datetime

    @property
    def provenance(self) -> str:
        """ "added by Dana from a support ticket" """
        return f"added by {self.added_by_name or 'a former staff member'} {self.source.phrase}"


@dataclass
class OnBehalfOutcome:
    result: VoteResult
    placeholder_created: bool
    vote: OnBehalfVote


def _clean_email(email: str | None) -> str:
    email = normalise_email(email or "")
    if not email:
        raise Invalid.field("email", "is required")
    if len(email) > 254:
        raise Invalid.field("email", "must be at most 254 characters")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid.field("email", "must be a valid email address, like name@example.com") from None
    return email


def _clean_source(source: str | None) -> ProxySource:
    try:
        return ProxySource((source or "").strip())
    except ValueError:
        choices = ", ".join(s.value for s in ProxySource)
        raise Invalid.field("source", f"must be one of {choices}") from None


def _clean_link(link: str | None) -> str | None:
    link = (link or "").strip()
    if not link:
        return None
    if len(link) > LINK_MAX:
        raise Invalid.field("link", f"must be at most {LINK_MAX} characters")
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        host = None
    if parts.scheme.lower() not in ("http", "https") or not host or re.search(r"\s", link):
        raise Invalid.field("link", "must be a web address starting with http:// or https://")
    return link


def _clean_text(value: str | None, field: str, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise Invalid.field(field, f"must be at most {limit} characters")
    return value or None


def _name_from_email(email: str) -> str:
    # "dana.smith@example.com" -> "Dana Smith": something readable until they sign up and choose a name.
    words = [w for w in re.split(r"[._+\-]+", email.split("@", 1)[0]) if w]
    return " ".join(w.capitalize() for w in words)[:80] or email[:80]


async def _voter_for(session: AsyncSession, *, email: str, name: str | None) -> tuple[User, bool]:
    """The account that uses this address, or a new placeholder account (no password) for it. An existing
    account is used as it is: its name is never changed."""
    user = await account_repository.get_user_by_email(session, email)
    created = False
    if user is None:
        try:
            async with session.begin_nested():
                user = User(email=email, name=name or _name_from_email(email), password_hash=None)
                session.add(user)
                await session.flush()
            created = True
        except IntegrityError:  # created concurrently by another request: use that one
            user = await account_repository.get_user_by_email(session, email)
            if user is None:
                raise
    if not user.is_active:
        raise Conflict(
            "This address belongs to a deactivated account.", fields={"email": "belongs to a deactivated account"}
        )
    return user, created


async def record_on_behalf(
    session: AsyncSession,
    ctx: WorkspaceContext,
    view: IdeaView,
    *,
    email: str | None,
    source: str | None,
    name: str | None = None,
    note: str | None = None,
    link: str | None = None,
    importance: str | None = None,
) -> OnBehalfOutcome:
    """Staff record a vote for the person who uses `email` (a placeholder account is created for an unknown
    address), saying where the request came from. Recording again for the same person updates the provenance
    (and the importance, if given) and never counts twice. The same rules as their own vote apply."""
    workspace_service.require_staff(ctx)
    idea = view.idea
    _check_open(idea)
    email = _clean_email(email)
    kind = _clean_source(source)
    link = _clean_link(link)
    note = _clean_text(note, "note", NOTE_MAX)
    name = _clean_text(name, "name", 80)
    _, importance = _clean(1, importance or None)
    await _check_options(session, idea, 1, importance)
    if email == normalise_email(ctx.user.email):
        raise Invalid.field("email", "is your own address: use the vote button for your own vote")
    voter, created = await _voter_for(session, email=email, name=name)
    voter_ctx = await workspace_service.load_context(session, slug=ctx.workspace.slug, user=voter)
    try:
        await moderation_service.ensure_can_participate(session, voter_ctx)
    except Forbidden:
        raise Forbidden(
            "This person is blocked in this workspace and cannot vote.",
            fields={"email": "belongs to someone blocked in this workspace"},
            code="blocked",
        ) from None
    provenance = Provenance(ctx.user.id, kind.value, note, link)
    applied = await _apply(
        session, ctx.workspace.id, idea, voter.id, value=1, importance=importance, provenance=provenance
    )
    result = applied.result
    if result.changed:
        before = applied.before
        await audit_service.record(
            session,
            workspace_id=ctx.workspace.id,
            actor_id=ctx.user.id,
            action="vote.added_on_behalf",
            target_type="idea",
            target_id=idea.id,
            before=_audit_state(before, voter) if before else None,
            after={"number": idea.number, "user_id": voter.id, "email": voter.email, "importance": result.importance}
            | {"source": kind.value, "note": note, "link": link, "added_by_id": ctx.user.id},
        )
    if applied.event:
        await _emit(
            session,
            ctx.workspace.id,
            idea,
            applied.event,
            actor_id=voter.id,
            on_behalf_of=voter.id,
            added_by=ctx.user.id,
            value=1,
            importance=result.importance,
        )
    stored = await repository.get_vote(session, ctx.workspace.id, idea.id, voter.id)
    vote = OnBehalfVote(
        user_id=voter.id,
        name=voter.name,
        email=voter.email,
        signed_up=voter.password_hash is not None,
        source=kind,
        note=note,
        link=link,
        importance=result.importance,
        added_by_id=ctx.user.id,
        added_by_name=ctx.user.name,
        created_at=stored.created_at if stored else datetime.now(UTC),
    )
    return OnBehalfOutcome(result=result, placeholder_created=created, vote=vote)


def _audit_state(vote: StoredVote, voter: User) -> dict:
    return {
        "user_id": voter.id,
        "email": voter.email,
        "importance": vote.importance,
        "source": vote.proxy_source,
        "note": vote.proxy_note,
        "link": vote.proxy_link,
        "added_by_id": vote.added_by_id,
    }


async def remove_on_behalf(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView, *, user_id: int) -> VoteResult:
    """Staff remove a vote recorded on someone's behalf. A vote the person cast (or took over) themself is
    theirs to withdraw: refused. Nothing to remove changes nothing."""
    workspace_service.require_staff(ctx)
    idea = view.idea
    _check_open(idea)
    removed = await repository.delete_vote(session, ctx.workspace.id, idea.id, user_id, only_on_behalf=True)
    if removed is None:
        if await repository.get_vote(session, ctx.workspace.id, idea.id, user_id) is not None:
            raise Conflict(
                "This person cast this vote themself: only they can withdraw it.",
                fields={"user_id": "voted themself"},
                code="own_vote",
            )
        return VoteResult(voted=False, vote_count=idea.vote_count, changed=False)
    await _after_removal(session, ctx.workspace.id, idea, removed)
    voter = await account_repository.get_user(session, user_id)
    await audit_service.record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id,
        action="vote.removed_on_behalf",
        target_type="idea",
        target_id=idea.id,
        before={"number": idea.number} | _audit_state(removed, voter),
        after=None,
    )
    await _emit(
        session,
        ctx.workspace.id,
        idea,
        "vote.withdrawn",
        actor_id=user_id,
        on_behalf_of=user_id,
        removed_by=ctx.user.id,
        value=removed.value,
        importance=removed.importance,
    )
    return VoteResult(voted=False, vote_count=idea.vote_count, changed=True)


async def list_on_behalf(session: AsyncSession, ctx: WorkspaceContext, idea: Idea) -> list[OnBehalfVote]:
    """The votes staff recorded on an idea for other people, newest first (staff only)."""
    workspace_service.require_staff(ctx)
    rows = await repository.list_on_behalf(session, ctx.workspace.id, idea.id)
    return [
        OnBehalfVote(
            user_id=r.user_id,
            name=r.name,
            email=r.email,
            signed_up=r.signed_up,
            source=_source_or_other(r.vote.proxy_source),
            note=r.vote.proxy_note,
            link=r.vote.proxy_link,
            importance=r.vote.importance,
            added_by_id=r.vote.added_by_id,
            added_by_name=r.added_by_name,
            created_at=r.vote.created_at,
        )
        for r in rows
    ]


def _source_or_other(value: str | None) -> ProxySource:
    try:
        return ProxySource(value or "")
    except ValueError:
        return ProxySource.other


async def _emit(session: AsyncSession, workspace_id: int, idea: Idea, type: str, *, actor_id: int, **extra) -> None:
    # Only real changes are events: a repeated PUT or DELETE changes nothing and tells nobody. The actor is the
    # voter (so they follow the idea they vote for), also for a vote staff recorded for them (`added_by`). Notes
    # and links never go into events: webhooks and emails must not carry what only staff may read.
    payload = {"idea_id": idea.id, "number": idea.number, "board_id": idea.board_id, "actor_id": actor_id, **extra}
    await outbox.emit(session, type=type, workspace_id=workspace_id, payload=payload)
