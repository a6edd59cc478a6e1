"""Saved filters: each person saves named filters of the change list (one ledger entry each), sees
only their own, replaces one by saving under its name, and deletes only their own."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changemgmt.models import LedgerEntry
from changes.lists import services
from changes.lists.models import SavedFilter


def test_save_from_the_page_then_it_is_listed_with_its_link(client, requester):
    client.force_login(requester)
    response = client.post(reverse("lists:save-filter"), {"name": "My open", "query": "state=draft&page=3"})
    assert response.status_code == 303
    saved = SavedFilter.objects.get()
    assert saved.query == "state=draft" and saved.user == requester
    assert LedgerEntry.objects.order_by("-seq").first().action == "list.filter_saved"
    html = client.get(reverse("changes:list")).content.decode()
    assert 'href="/changes/?state=draft">My open</a>' in html


def test_saving_under_the_same_name_replaces(requester):
    services.save_filter(actor=requester, data={"name": "Mine", "query": "state=draft"})
    services.save_filter(actor=requester, data={"name": "Mine", "query": "state=approval"})
    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["state=approval"]


def test_a_filter_without_a_name_is_refused(requester):
    with pytest.raises(ValidationError) as refusal:
        services.save_filter(actor=requester, data={"name": " ", "query": "state=draft"})
    assert "name" in refusal.value.message_dict and not SavedFilter.objects.exists()


def test_others_do_not_see_nor_delete_my_filters(client, requester, peer):
    saved = services.save_filter(actor=requester, data={"name": "Alice's", "query": "state=draft"})
    client.force_login(peer)
    assert "Alice&#x27;s" not in client.get(reverse("changes:list")).content.decode()
    assert client.post(reverse("lists:delete-filter", args=[saved.pk])).status_code == 404
    client.force_login(requester)
    assert client.post(reverse("lists:delete-filter", args=[saved.pk])).status_code == 303
    assert not SavedFilter.objects.exists()
    assert LedgerEntry.objects.order_by("-seq").first().action == "list.filter_deleted"
