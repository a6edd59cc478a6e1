"""The collaboration panel on the change page: the page includes it as its own htmx part; without
JavaScript it is a page of its own; comment, watch, unwatch, attach and download through the service,
with field-named errors (400) and refusals (403, 409) that write nothing."""
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from changemgmt.models import LedgerEntry
from changes.collaboration import services
from changes.collaboration.models import Attachment, Comment, Watch

HX = {"HX-Request": "true"}


def url(name, change, *args):
    return reverse(f"collaboration:{name}", args=[change.pk, *args])


def test_the_change_page_loads_the_panel_as_its_own_part(client, change, requester):
    client.force_login(requester)
    html = client.get(reverse("changes:detail", args=[change.pk])).content.decode()
    assert 'id="collaboration"' in html and f'hx-get="{url("panel", change)}?embedded=1"' in html


def test_the_panel_works_without_javascript(client, change, requester):
    client.force_login(requester)
    response = client.post(url("comment", change), {"body": "Dry run done."})
    assert response.status_code == 303 and response["Location"] == url("panel", change)
    page = client.get(url("panel", change)).content.decode()
    assert "Dry run done." in page and "<html" in page and "Comment added." in page


def test_an_htmx_comment_answers_the_fresh_panel(client, change, requester, peer):
    client.force_login(requester)
    response = client.post(url("comment", change) + "?embedded=1", {"body": "@bob have a look"}, headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "@bob have a look" in html and "1 mentioned person notified" in html and "page=change" in html


def test_an_unknown_mention_answers_400_with_the_text_kept(client, change, requester):
    client.force_login(requester)
    response = client.post(url("comment", change), {"body": "@ghost hello"}, headers=HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "No one with a role is called @ghost" in html and "@ghost hello</textarea>" in html
    assert not Comment.objects.exists()


def test_requesters_are_not_offered_work_notes_nor_shown_them(client, change, requester, peer):
    services.add_comment(change_id=change.pk, actor=peer, data={"body": "internal only", "work_note": True})
    client.force_login(requester)
    html = client.get(url("panel", change), headers=HX).content.decode()
    assert "internal only" not in html and "work_note" not in html
    client.force_login(peer)
    html = client.get(url("panel", change), headers=HX).content.decode()
    assert "internal only" in html and 'name="work_note"' in html


def test_watch_and_unwatch_twice(client, change, peer):
    client.force_login(peer)
    assert client.post(url("watch", change), headers=HX).status_code == 200
    second = client.post(url("watch", change), headers=HX)
    assert second.status_code == 409 and "already watch" in second.content.decode()
    assert client.post(url("unwatch", change), headers=HX).status_code == 200
    again = client.post(url("unwatch", change), headers=HX)
    assert again.status_code == 409 and "do not watch" in again.content.decode()
    assert not Watch.objects.exists()


def test_auditors_read_the_panel_but_write_nothing(client, change, auditor):
    client.force_login(auditor)
    html = client.get(url("panel", change), headers=HX).content.decode()
    assert "Add comment" not in html and "Attach" not in html.split("<h3>Files</h3>")[0]
    before = LedgerEntry.objects.count()
    assert client.post(url("comment", change), {"body": "x"}).status_code == 403
    assert client.post(url("watch", change)).status_code == 403
    assert LedgerEntry.objects.count() == before


def test_attach_then_download_the_same_bytes(client, change, requester, peer):
    client.force_login(requester)
    content = b"step 1\nstep 2\n"
    response = client.post(url("attach", change), {"file": SimpleUploadedFile("plan.txt", content)}, headers=HX)
    assert response.status_code == 200 and hashlib.sha256(content).hexdigest() in response.content.decode()
    attachment = Attachment.objects.get()
    client.force_login(peer)
    download = client.get(url("download", change, attachment.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "text/plain"
    assert 'attachment; filename="plan.txt"' in download["Content-Disposition"]
    assert download["X-Content-SHA256"] == attachment.sha256


def test_a_forbidden_type_answers_400_naming_the_rule(client, change, requester):
    client.force_login(requester)
    response = client.post(url("attach", change), {"file": SimpleUploadedFile("x.exe", b"MZ")}, headers=HX)
    assert response.status_code == 400 and "attachments policy" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("who", ["outsider", None])
def test_downloads_need_a_role(client, change, requester, request, who):
    attachment = services.add_attachment(change_id=change.pk, actor=requester, data={},
                                         files={"file": SimpleUploadedFile("a.txt", b"secret")})
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(url("download", change, attachment.pk))
    assert response.status_code in (302, 403) and b"secret" not in response.content


def test_a_download_of_another_changes_file_is_404(client, change, requester):
    from tests.support.lifecycle import filed

    other = filed(requester)
    attachment = services.add_attachment(change_id=other.pk, actor=requester, data={},
                                         files={"file": SimpleUploadedFile("a.txt", b"x")})
    client.force_login(requester)
    assert client.get(url("download", change, attachment.pk)).status_code == 404


def test_the_thread_poll_is_204_while_nothing_moved(client, change, requester, peer):
    client.force_login(requester)
    html = client.get(url("panel", change) + "?embedded=1", headers=HX).content.decode()
    version = html.split('data-version="')[1].split('"')[0]
    poll = url("thread", change) + f"?since={version}&page=change"
    assert client.get(poll, headers=HX).status_code == 204
    services.add_comment(change_id=change.pk, actor=peer, data={"body": "news"})
    moved = client.get(poll, headers=HX)
    assert moved.status_code == 200 and "news" in moved.content.decode()


def test_the_thread_poll_reloads_the_change_page_in_place_when_the_change_moved(client, change, requester):
    from changes import services as change_services

    client.force_login(requester)
    html = client.get(url("panel", change) + "?embedded=1", headers=HX).content.decode()
    version = html.split('data-version="')[1].split('"')[0]
    change_services.run_transition(change_id=change.pk, name="submit", actor=requester)
    answer = client.get(url("thread", change) + f"?since={version}&page=change", headers=HX)
    assert answer.status_code == 204 and '"select": "#main"' in answer["HX-Location"]


def test_the_panel_costs_the_same_queries_with_more_comments(client, change, requester, peer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(requester)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("panel", change), headers=HX).status_code == 200
        return len(queries)

    for n in range(2):
        services.add_comment(change_id=change.pk, actor=peer, data={"body": f"@alice note {n}"})
    services.add_attachment(change_id=change.pk, actor=requester, data={},
                            files={"file": SimpleUploadedFile("a.txt", b"1")})
    small = cost()
    for n in range(6):
        services.add_comment(change_id=change.pk, actor=peer, data={"body": f"@alice more {n}"})
        services.add_attachment(change_id=change.pk, actor=requester, data={},
                                files={"file": SimpleUploadedFile(f"b{n}.txt", b"2")})
    assert cost() == small
