"""Every table, imported in one place for Alembic and the schema test."""

from ideaflow.accounts.models import AccountToken, ApiToken, User, UserSession
from ideaflow.audit.models import AuditEvent
from ideaflow.backlog.models import TrackerConnection, TrackerDelivery, TrackerLink
from ideaflow.boards.models import Board
from ideaflow.changelog.models import ChangelogEntry, ChangelogEntryIdea
from ideaflow.comments.models import Comment
from ideaflow.db import Base
from ideaflow.ideas.models import Idea
from ideaflow.invitations.models import Invitation
from ideaflow.merges.models import IdeaMerge
from ideaflow.moderation.models import ModerationSettings, UserBlock
from ideaflow.notifications.models import EmailDelivery, Notification, NotificationPreference, Subscription
from ideaflow.outbox.models import OutboxEvent
from ideaflow.ranking.models import (
    BoardRankingSettings,
    CustomerProfile,
    IdeaPriorityInput,
    IdeaScore,
    PairwiseComparison,
    PairwiseFit,
    WorkspaceRankingSettings,
)
from ideaflow.roadmap.models import RoadmapSettings
from ideaflow.statuses.models import OfficialResponse, ResponseRevision, Status, TimelineEntry
from ideaflow.tags.models import IdeaTag, Tag
from ideaflow.votes.models import Vote
from ideaflow.webhooks.models import WebhookDelivery, WebhookEndpoint
from ideaflow.widget.models import WidgetIdentity, WidgetSecret, WidgetSession, WidgetSettings
from ideaflow.workspaces.models import Membership, Workspace

__all__ = [
    "AccountToken",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Board",
    "BoardRankingSettings",
    "ChangelogEntry",
    "ChangelogEntryIdea",
    "Comment",
    "CustomerProfile",
    "EmailDelivery",
    "Idea",
    "IdeaMerge",
    "IdeaPriorityInput",
    "IdeaScore",
    "IdeaTag",
    "Invitation",
    "Membership",
    "ModerationSettings",
    "Notification",
    "NotificationPreference",
    "OfficialResponse",
    "OutboxEvent",
    "PairwiseComparison",
    "PairwiseFit",
    "ResponseRevision",
    "RoadmapSettings",
    "Status",
    "Subscription",
    "Tag",
    "TimelineEntry",
    "TrackerConnection",
    "TrackerDelivery",
    "TrackerLink",
    "User",
    "UserBlock",
    "UserSession",
    "Vote",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WidgetIdentity",
    "WidgetSecret",
    "WidgetSession",
    "WidgetSettings",
    "Workspace",
    "WorkspaceRankingSettings",
    "include_in_schema_comparison",
]

# Search structures that live only in migrations, because they are database-specific: PostgreSQL's generated
# tsvector column (and its GIN index) and SQLite's FTS5 table with its shadow tables.
SEARCH_ONLY_OBJECTS = frozenset({"search_vector", "ideas_fts", "ix_ideas_search_vector"})


def include_in_schema_comparison(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object filter: compare everything the models describe, not the search structures."""
    return not (name in SEARCH_ONLY_OBJECTS or (type_ == "table" and name and name.startswith("ideas_fts")))
