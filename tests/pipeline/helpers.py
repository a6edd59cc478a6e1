"""Helpers of the pipeline gate tests (not a test module)."""
import json

from rest_framework.test import APIClient

DIGEST = "sha256:" + "ab" * 32
OTHER_DIGEST = "sha256:" + "cd" * 32


def pipeline_client(plain: str) -> APIClient:
    """A client of a pipeline token; `client.ask(change, **overrides)` posts a gate request for the
    factories' service to production."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")

    def ask(change, /, **overrides):
        body = {"change": change.reference, "service": "payments-api", "environment": "production",
                "artefact_digest": DIGEST, "pipeline_id": "payments/deploy.yml", "run_id": "100", **overrides}
        return client.post("/api/pipeline/gate/", json.dumps(body), content_type="application/json")

    client.ask = ask
    return client


HEALTHY = {"error_rate_percent": 0.1, "p95_latency_ms": 300, "alert_count": 0}


def report(client, change, stage, **overrides):
    """Report one rollout stage of the factories' service in production, healthy unless overridden."""
    body = {"change": change.reference, "service": "payments-api", "environment": "production",
            "artefact_digest": DIGEST, "pipeline_id": "payments/deploy.yml", "run_id": "100", "stage": stage,
            **HEALTHY, **overrides}
    return client.post("/api/pipeline/deployments/", json.dumps(body), content_type="application/json")
