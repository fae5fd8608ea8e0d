"""The changelog: entries staff write that ship the ideas they deliver and tell their voters."""
