"""Every write to the CAB goes through these modules: from pages, the API, the admin and tasks.

Each service checks permission first (cab.rules), then whether the meeting's minutes are published,
then locks what it changes (in the order of changemgmt.locking), checks the rule (quorum, the decision
rule, the item's state), writes, and appends the ledger entry in the same transaction. Anything
refused leaves the database untouched, ledger included, whoever asked; an attempt on published
minutes is logged (logger "cab.refused").
"""
