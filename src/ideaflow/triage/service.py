"""The staff triage inbox: untriaged ideas oldest first, and time to first response."""

from __future__ import annotations
