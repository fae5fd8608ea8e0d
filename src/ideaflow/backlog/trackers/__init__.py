"""Issue tracker clients: one module per tracker, one shape for all (create, update, find by marker, check)."""

from __future__ import annotations

from ideaflow.backlog.models import TrackerKind
from ideaflow.backlog.trackers.base import ItemContent, RemoteItem, TrackerClient, TrackerError
from ideaflow.backlog.trackers.github import GitHubClient
from ideaflow.backlog.trackers.jira import JiraClient
from ideaflow.backlog.trackers.linear import LinearClient

CLIENTS: dict[TrackerKind, type[TrackerClient]] = {
    TrackerKind.github: GitHubClient,
    TrackerKind.jira: JiraClient,
    TrackerKind.linear: LinearClient,
}

__all__ = ["CLIENTS", "GitHubClient", "ItemContent", "JiraClient", "LinearClient", "RemoteItem", "TrackerError"]
