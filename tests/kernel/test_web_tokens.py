"""The API tokens page: a token is shown once at creation, works as a bearer token, and stops
working when revoked; nobody can revoke someone else's token."""
from django.urls import reverse

from changemgmt.models import ApiToken, LedgerEntry


def test_new_token_is_shown_once_then_only_its_prefix(client, requester):
    client.force_login(requester)
    response = client.post(reverse("tokens"), {"name": "deploy pipeline"})
    plain = response.context["created"]["plain"]
    assert plain in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    later = client.get(reverse("tokens")).content.decode()
    assert plain not in later and "deploy pipeline" in later
    assert LedgerEntry.objects.filter(action="api_token.issued").count() == 1


def test_revoked_token_is_refused_by_the_api(client, requester):
    client.force_login(requester)
    plain = client.post(reverse("tokens"), {"name": "ci"}).context["created"]["plain"]
    token = ApiToken.objects.get()
    client.post(reverse("token-revoke", args=[token.pk]))
    assert ApiToken.objects.get().revoked_at is not None
    api = client.__class__()
    assert api.get("/api/changes/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_nobody_revokes_someone_elses_token(client, requester, peer):
    client.force_login(requester)
    client.post(reverse("tokens"), {"name": "mine"})
    client.force_login(peer)
    assert client.post(reverse("token-revoke", args=[ApiToken.objects.get().pk])).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
