"""Outbound webhooks: registrations, fan-out of outbox events into delivery rows, the delivery
worker step, and the admin API / CLI."""
