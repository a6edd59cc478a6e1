"""The admin shows comments, watches and attachments read-only: nothing is added, changed or deleted there."""
from django.core.files.uploadedfile import SimpleUploadedFile

from changes.collaboration import services


def test_the_admin_lists_and_shows_but_never_edits(admin_client, change, requester, peer):
    comment = services.add_comment(change_id=change.pk, actor=requester, data={"body": "hello @bob"})
    attachment = services.add_attachment(change_id=change.pk, actor=requester, data={},
                                         files={"file": SimpleUploadedFile("a.txt", b"x")})
    for model, pk in (("comment", comment.pk), ("attachment", attachment.pk), ("watch", None)):
        assert admin_client.get(f"/admin/changes/{model}/").status_code == 200
        assert admin_client.get(f"/admin/changes/{model}/add/").status_code == 403
        if pk:
            assert admin_client.get(f"/admin/changes/{model}/{pk}/change/").status_code == 200
            assert admin_client.post(f"/admin/changes/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/changes/comment/{comment.pk}/change/", {"body": "edited"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "hello @bob"
