"""Custom statuses per workspace, status changes with official responses, and the idea timeline."""
