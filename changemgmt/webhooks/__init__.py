"""Outbound webhooks (Standard Webhooks): subscriptions, the delivery log, and the Celery tasks that
fan each outbox event out to the subscriptions that match it and send it, signed, until it lands."""
