"""The ledger's public key at a fixed, documented address, so an auditor (or a deploy pipeline
checking attestations) fetches it without an account: it is public by design."""
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from changemgmt import signing_key


@require_GET
def ledger_public_key(request):
    response = HttpResponse(signing_key.public_key_pem(), content_type="application/x-pem-file")
    response["X-Key-Id"] = signing_key.key_id()
    return response
