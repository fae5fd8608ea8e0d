"""Workspace invitations: single-use, expiring links scoped to one workspace."""
