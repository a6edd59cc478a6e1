"""The collaboration API: comments and attachments of a change (list, create, download), watch and
unwatch; bad input is a 400 naming the field, refusals write nothing; everything is in the schema."""
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from changemgmt.models import LedgerEntry, Notification, NotificationKind
from changes.collaboration import services
from changes.collaboration.models import Attachment, Comment
from tests.support.api import QueryCountContract, ReadAccessContract, client_for, post_json, token_client


def api(change, tail):
    return f"/api/changes/{change.pk}/{tail}"


def test_comment_with_a_mention_then_list(change, requester, peer):
    client = token_client(requester)
    response = post_json(client, api(change, "comments/"), {"body": "@bob please review"})
    assert response.status_code == 201, response.content
    assert response.json()["mentions"] == ["bob"] and response.json()["author"] == "alice"
    assert Notification.objects.filter(user=peer, kind=NotificationKind.MENTIONED).exists()
    assert [c["body"] for c in client.get(api(change, "comments/")).json()] == ["@bob please review"]


@pytest.mark.parametrize("body, field", [({"body": "@ghost hi"}, "body"), ({"body": 5}, "body"),
                                         ({"body": "hi", "work_note": "yes"}, "work_note"),
                                         ({"body": "hi", "colour": 1}, "colour"), ({}, "body")])
def test_bad_comments_are_400_naming_the_field(change, requester, body, field):
    client = token_client(requester)
    before = LedgerEntry.objects.count()
    response = post_json(client, api(change, "comments/"), body)
    assert response.status_code == 400 and field in response.json()
    assert LedgerEntry.objects.count() == before and not Comment.objects.exists()


def test_a_requesters_work_note_is_403(change, requester):
    response = post_json(token_client(requester), api(change, "comments/"), {"body": "x", "work_note": True})
    assert response.status_code == 403 and not Comment.objects.exists()


def test_requesters_do_not_list_work_notes(change, requester, peer):
    services.add_comment(change_id=change.pk, actor=peer, data={"body": "internal", "work_note": True})
    assert token_client(requester).get(api(change, "comments/")).json() == []
    assert len(token_client(peer).get(api(change, "comments/")).json()) == 1


def test_upload_list_and_download(change, requester):
    client = token_client(requester)
    content = b"evidence: all green\n"
    response = client.post(api(change, "attachments/"), {"file": SimpleUploadedFile("evidence.log", content)},
                           format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["content_type"] == "text/plain"
    assert [row["id"] for row in client.get(api(change, "attachments/")).json()] == [body["id"]]
    download = client.get(body["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == content


def test_an_oversized_or_forbidden_upload_is_400_on_file(change, requester, admin_user):
    from changemgmt import policy, policy_services

    policy_services.update_setting(key="attachments", actor=admin_user,
                          value={**policy.get("attachments"), "max_size_mb": 1})
    client = token_client(requester)
    big = client.post(api(change, "attachments/"), {"file": SimpleUploadedFile("big.txt", b"x" * (1024 * 1024 + 1))},
                      format="multipart")
    assert big.status_code == 400 and "at most 1 MB" in big.json()["file"][0]
    exe = client.post(api(change, "attachments/"), {"file": SimpleUploadedFile("a.exe", b"MZ")}, format="multipart")
    assert exe.status_code == 400 and "file" in exe.json()
    missing = client.post(api(change, "attachments/"), {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    assert not Attachment.objects.exists()


def test_a_json_upload_is_415(change, requester):
    assert post_json(token_client(requester), api(change, "attachments/"), {"file": "x"}).status_code == 415


def test_watch_unwatch_and_twice_is_409(change, peer):
    client = token_client(peer)
    assert client.post(api(change, "watch/")).json() == {"watching": True, "watchers": ["bob"]}
    assert client.post(api(change, "watch/")).status_code == 409
    assert client.get(api(change, "watchers/")).json()["watching"] is True
    assert client.post(api(change, "unwatch/")).json() == {"watching": False, "watchers": []}
    assert client.post(api(change, "unwatch/")).status_code == 409


def test_auditors_read_but_do_not_write(change, auditor):
    client = client_for(auditor)
    assert client.get(api(change, "comments/")).status_code == 200
    assert post_json(client, api(change, "comments/"), {"body": "x"}).status_code == 403
    assert client.post(api(change, "watch/")).status_code == 403


def test_an_unknown_change_is_404(requester, db):
    assert token_client(requester).get("/api/changes/999999/comments/").status_code == 404


def test_the_schema_documents_every_endpoint_with_examples(requester):
    schema = client_for(requester).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert paths["/api/changes/{id}/comments/"]["post"]["operationId"] == "changes_comments_create"
    create = paths["/api/changes/{id}/comments/"]["post"]["requestBody"]["content"]["application/json"]
    assert "examples" in create
    assert "multipart/form-data" in paths["/api/changes/{id}/attachments/"]["post"]["requestBody"]["content"]
    for path in ("/api/changes/{id}/attachments/{attachment_id}/", "/api/changes/{id}/watch/",
                 "/api/changes/{id}/unwatch/", "/api/changes/{id}/watchers/"):
        assert path in paths


class TestCommentListAccess(ReadAccessContract, QueryCountContract):
    @pytest.fixture
    def url(self, change):
        self.change = change
        return api(change, "comments/")

    def grow(self, step):
        from changemgmt.models import User

        author = User.objects.get(username="alice")
        for n in range(step * 3):
            services.add_comment(change_id=self.change.pk, actor=author, data={"body": f"note {step} {n}"})


class TestAttachmentListAccess(ReadAccessContract, QueryCountContract):
    @pytest.fixture
    def url(self, change):
        self.change = change
        return api(change, "attachments/")

    def grow(self, step):
        from changemgmt.models import User

        author = User.objects.get(username="alice")
        for n in range(step * 3):
            services.add_attachment(change_id=self.change.pk, actor=author, data={},
                                    files={"file": SimpleUploadedFile(f"f{step}-{n}.txt", b"x")})
