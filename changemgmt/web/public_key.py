"""The ledger's public keys at a fixed, documented address, so an auditor (or a deploy pipeline
checking attestations) fetches them without an account: they are public by design.

The body is the current key's PEM, as before any rotation, followed by the PEM of every retired key
(LEDGER_RETIRED_PUBLIC_KEYS_FILE): a reader that loads the first key still gets the current one, and
the standalone verifier given the whole file checks checkpoints signed before a rotation too."""
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from changemgmt.ledger import signing_key
from changemgmt.ledger.verifier import public_key_id


@require_GET
def ledger_public_key(request):
    response = HttpResponse(signing_key.public_keys_pem(), content_type="application/x-pem-file")
    response["X-Key-Id"] = signing_key.key_id()
    retired = [public_key_id(key) for key in signing_key.retired_public_keys()]
    if retired:
        response["X-Retired-Key-Ids"] = ", ".join(retired)
    return response
