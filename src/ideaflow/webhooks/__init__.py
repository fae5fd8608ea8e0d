"""Outbound webhooks: endpoints, signed deliveries and the delivery log."""
