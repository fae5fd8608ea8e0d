"""Webhooks: outbox event handlers, registered when the worker loads this module."""
