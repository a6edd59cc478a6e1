"""The auditor's workspace: the ledger, its checkpoints, the population of changes with their
control attributes and exceptions, and evidence packs per change (issue 11 §1-§3).

The highest layer: it reads every app and no app imports it. Read-only, except signing a tree head
through changemgmt.ledger.tree_heads when an evidence pack needs one."""
