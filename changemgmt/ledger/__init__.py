"""The audit ledger: an append-only, hash-chained record of every action, with signed checkpoints.

The package has the file set of an app (same `changemgmt` app label: the tables and migrations are
the kernel's as before): `models` (entries and checkpoints), `services` (`append`, the one write
every service makes), `audit` (verify, export, checkpoint), `guard` (the append-only triggers),
`signing_key` and `rotation` (the Ed25519 key, its retired predecessors, rotating it) and
`verifier`, the standalone file an auditor runs on another machine with the standard library only.
Every app appends through `append`, re-exported here with the helpers that name actors and subjects.
They are loaded on first use (PEP 562), so the standard-library verifiers in this package
(`python -m changemgmt.ledger.verifier`, `…merkle_verify`) run without Django being set up.
"""
__all__ = ["actor_label", "append", "format_time", "subject_of"]


def __getattr__(name: str):
    if name in __all__:
        from changemgmt.ledger import services

        return getattr(services, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
