"""Outgoing email: rendering and sending messages over SMTP."""
