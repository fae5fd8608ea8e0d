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
]
