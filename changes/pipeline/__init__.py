"""Pipelines and the outside world (issue 10): the deploy gate a CI/CD pipeline asks before it deploys,
the artefacts recorded on a change, and the signed deploy attestation an admission controller checks.

The gate is a step of the change, so it lives under `changes/`; its models stay in the `changes` app
(changes/models.py imports them)."""
