"""Saved filters in the admin: listed and shown read-only (only their owner writes them, through the service)."""
from changes.lists import services


def test_the_admin_shows_saved_filters_read_only(admin_client, requester):
    saved = services.save_filter(actor=requester, data={"name": "Mine", "query": "owner=1"})
    assert admin_client.get("/admin/changes/savedfilter/").status_code == 200
    assert admin_client.get(f"/admin/changes/savedfilter/{saved.pk}/change/").status_code == 200
    assert admin_client.get("/admin/changes/savedfilter/add/").status_code == 403
    assert admin_client.post(f"/admin/changes/savedfilter/{saved.pk}/delete/", {"post": "yes"}).status_code == 403
