"""Subscriptions, notification preferences, in-app notifications and their delivery."""
