"""The four feeds, built for an anonymous reader: feed readers fetch without cookies, so a feed shows only
what anyone may read (public boards; never internal notes, removed comments, deleted ideas or drafts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board
from ideaflow.changelog import service as changelog_service
from ideaflow.config import get_settings
from ideaflow.feeds import atom, repository
from ideaflow.feeds.atom import Entry, Feed
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.schemas import IdeaSort
from ideaflow.roadmap import service as roadmap_service
from ideaflow.statuses import service as status_service
from ideaflow.statuses.models import TimelineKind
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

FEED_SIZE = 50


def _base() -> str:
    return get_settings().base_url.rstrip("/")


def _tag(ctx: WorkspaceContext, specific: str) -> str:
    return atom.tag_uri(_base(), ctx.workspace.created_at.date(), f"{ctx.workspace.slug}/{specific}")


def _url(ctx: WorkspaceContext, path: str) -> str:
    return f"{_base()}/{ctx.workspace.slug}{path}"


def _latest(entries: list[Entry], fallback: datetime) -> datetime:
    return max((e.updated for e in entries), default=fallback)


async def anonymous_context(session: AsyncSession, slug: str) -> WorkspaceContext:
    return await workspace_service.load_context(session, slug=slug.lower(), user=None)


async def board_feed(session: AsyncSession, ctx: WorkspaceContext, board_slug: str) -> Feed:
    """New ideas on a public board, newest first."""
    board: Board = await board_service.get_board(session, ctx, board_slug)
    page = await idea_service.list_ideas(session, ctx, board=board, sort=IdeaSort.new, limit=FEED_SIZE)
    entries = [
        Entry(
            id=_tag(ctx, f"ideas/{v.idea.number}"),
            title=v.idea.title,
            link=_url(ctx, f"/ideas/{v.idea.number}"),
            updated=v.idea.created_at,
            published=v.idea.created_at,
            content_html=v.idea.body_html,
            author=v.row.author_name,
        )
        for v in page.items
    ]
    return Feed(
        id=_tag(ctx, f"boards/{board.id}"),
        title=f"{board.name} · {ctx.workspace.name}",
        subtitle=board.description or f"New ideas on {board.name}.",
        self_url=_url(ctx, f"/boards/{board.slug}/feed.atom"),
        page_url=_url(ctx, f"/boards/{board.slug}"),
        author=ctx.workspace.name,
        updated=_latest(entries, board.created_at),
        entries=entries,
    )


async def idea_feed(session: AsyncSession, ctx: WorkspaceContext, number: int) -> Feed:
    """An idea's public history: status changes, official responses and comments, newest first."""
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    idea = view.idea
    statuses = await status_service.status_set(session, workspace_id=ctx.workspace.id)
    link = _url(ctx, f"/ideas/{idea.number}")

    def name(key: str | None) -> str:
        found = statuses.get(key or "")
        return found.name if found else (key or "").replace("_", " ").capitalize()

    entries: list[Entry] = []
    for item, response in await repository.idea_timeline(session, ctx.workspace.id, idea.id, limit=FEED_SIZE):
        if item.kind == TimelineKind.status_changed.value:
            title = f"Status changed to {name(item.to_status)}"
            if item.from_status:
                title = f"Status changed from {name(item.from_status)} to {name(item.to_status)}"
        elif item.kind in (TimelineKind.response_posted.value, TimelineKind.response_edited.value):
            if response is None:
                continue
            title = (
                "Official response" if item.kind == TimelineKind.response_posted.value else "Official response updated"
            )
        else:
            continue  # kinds added later appear once they are known to be public
        entries.append(
            Entry(
                id=_tag(ctx, f"ideas/{idea.number}/timeline/{item.id}"),
                title=title,
                link=link,
                updated=item.created_at,
                published=item.created_at,
                content_html=response.body_html if response is not None else "",
                author=ctx.workspace.name,
                categories=[item.to_status] if item.to_status else [],
            )
        )
    for comment, author in await repository.public_comments(session, ctx.workspace.id, idea.id, limit=FEED_SIZE):
        entries.append(
            Entry(
                id=_tag(ctx, f"ideas/{idea.number}/comments/{comment.id}"),
                title=f"Comment by {author}",
                link=f"{link}#comment-{comment.id}",
                updated=comment.updated_at,
                published=comment.created_at,
                content_html=comment.body_html,
                author=author,
            )
        )
    entries.append(
        Entry(
            id=_tag(ctx, f"ideas/{idea.number}"),
            title=idea.title,
            link=link,
            updated=idea.created_at,
            published=idea.created_at,
            content_html=idea.body_html,
            author=view.row.author_name,
        )
    )
    entries.sort(key=lambda e: (e.published or e.updated, e.id), reverse=True)
    entries = entries[:FEED_SIZE]
    return Feed(
        id=_tag(ctx, f"ideas/{idea.number}/feed"),
        title=f"{idea.title} · {ctx.workspace.name}",
        subtitle=f"Status changes, official responses and comments on idea #{idea.number}.",
        self_url=_url(ctx, f"/ideas/{idea.number}/feed.atom"),
        page_url=link,
        author=ctx.workspace.name,
        updated=_latest(entries, idea.created_at),
        entries=entries,
    )


async def roadmap_feed(session: AsyncSession, ctx: WorkspaceContext) -> Feed:
    """Ideas arriving in the roadmap's statuses (Planned, In progress, Shipped), newest first."""
    chosen = await roadmap_service.choice(session, workspace_id=ctx.workspace.id, include_private=False)
    by_key = {s.key: s for s in chosen.all_statuses}
    rows = await repository.roadmap_changes(
        session,
        ctx.workspace.id,
        board_ids=[b.id for b in chosen.boards],
        status_keys=[s.key for s in chosen.statuses],
        limit=FEED_SIZE,
    )
    entries = []
    for item, idea, board, response in rows:
        status = by_key.get(item.to_status or "")
        status_name = status.name if status else (item.to_status or "")
        entries.append(
            Entry(
                id=_tag(ctx, f"roadmap/{item.id}"),
                title=f"{status_name}: {idea.title}",
                link=_url(ctx, f"/ideas/{idea.number}"),
                updated=item.created_at,
                published=item.created_at,
                content_html=response.body_html if response is not None else idea.body_html,
                author=ctx.workspace.name,
                categories=[item.to_status or "", board.slug],
            )
        )
    return Feed(
        id=_tag(ctx, "roadmap"),
        title=f"Roadmap · {ctx.workspace.name}",
        subtitle=f"What {ctx.workspace.name} has planned, is building and has shipped.",
        self_url=_url(ctx, "/roadmap/feed.atom"),
        page_url=_url(ctx, "/roadmap"),
        author=ctx.workspace.name,
        updated=_latest(entries, ctx.workspace.created_at),
        entries=entries,
    )


async def changelog_feed(session: AsyncSession, ctx: WorkspaceContext) -> Feed:
    """Published changelog entries, newest first, each listing the public ideas it delivered."""
    page = await changelog_service.list_entries(session, ctx, limit=FEED_SIZE)
    entries = []
    for view in page.items:
        entry = view.entry
        html = entry.body_html
        if view.ideas:
            items = "".join(
                f'<li><a href="{_url(ctx, f"/ideas/{linked.idea.number}")}">{_escape(linked.idea.title)}</a></li>'
                for linked in view.ideas
            )
            html += f"<p>Delivers:</p><ul>{items}</ul>"
        entries.append(
            Entry(
                id=_tag(ctx, f"changelog/{entry.id}"),
                title=entry.title,
                link=_url(ctx, f"/changelog/{entry.slug}"),
                updated=max(entry.updated_at, entry.published_at),
                published=entry.published_at,
                content_html=html,
                author=view.author_name or ctx.workspace.name,
            )
        )
    return Feed(
        id=_tag(ctx, "changelog"),
        title=f"Changelog · {ctx.workspace.name}",
        subtitle=f"What's new in {ctx.workspace.name}.",
        self_url=_url(ctx, "/changelog/feed.atom"),
        page_url=_url(ctx, "/changelog"),
        author=ctx.workspace.name,
        updated=_latest(entries, ctx.workspace.created_at),
        entries=entries,
    )


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
