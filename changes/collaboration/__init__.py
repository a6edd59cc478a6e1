"""Working together on a change (issue 12 §4): comments everyone with a role reads, work notes for
the people who work the change (not requesters), @mentions, watchers, and attachments (evidence,
runbooks) kept with their SHA-256 in the ledger.

The package has the file set of an app; its models keep the `changes` app label (registered by
changes/models.py, like the calendar's and the pipeline's), so its migrations are the changes app's.
"""
