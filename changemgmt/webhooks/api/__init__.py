"""The webhooks API: subscriptions (administrators write, auditors read) and their delivery log."""
