"""Every write to the CAB goes through these modules: from pages, the API, the admin and tasks.

Each service locks what it changes, checks permission (cab.rules), checks the rule (quorum, the
decision rule, the item's state), writes, and appends the ledger entry in the same transaction.
Anything refused leaves the database untouched — except the ledger record of an attempt to change
published minutes, which is kept on purpose.
"""
