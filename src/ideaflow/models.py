"""Every table, imported in one place for Alembic and the schema test."""

from ideaflow.accounts.models import ApiToken, User, UserSession
from ideaflow.boards.models import Board
from ideaflow.comments.models import Comment
from ideaflow.db import Base
from ideaflow.ideas.models import Idea
from ideaflow.outbox.models import OutboxEvent
from ideaflow.votes.models import Vote
from ideaflow.workspaces.models import Membership, Workspace

__all__ = [
    "ApiToken",
    "Base",
    "Board",
    "Comment",
    "Idea",
    "Membership",
    "OutboxEvent",
    "User",
    "UserSession",
    "Vote",
    "Workspace",
    "include_in_schema_comparison",
]

# Search structures that live only in migrations, because they are database-specific: PostgreSQL's generated
# tsvector column (and its GIN index) and SQLite's FTS5 table with its shadow tables.
SEARCH_ONLY_OBJECTS = frozenset({"search_vector", "ideas_fts", "ix_ideas_search_vector"})


def include_in_schema_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object filter: compare everything the models describe, not the search structures."""
    return not (name in SEARCH_ONLY_OBJECTS or (type_ == "table" and name and name.startswith("ideas_fts")))
