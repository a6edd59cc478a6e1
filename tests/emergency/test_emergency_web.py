"""Emergency changes on the change page: record a verbal authorization and the root cause from the
panel's forms (htmx or plain post); refusals come back as field errors or messages, with the API's
400/403/409, and nothing is written."""
from datetime import datetime

from changemgmt.models import LedgerEntry, Notification
from changes.emergency.models import EmergencyAuthorization, EmergencyReview
from tests.support import factories as f
from tests.support.emergency import NIGHT, authorize, deploy, emergency_change

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(client, user):
    client.force_login(user)
    return client


def authorize_url(change):
    return f"/approvals/emergency/{change.pk}/authorize/"


def root_cause_url(change):
    return f"/approvals/emergency/{change.pk}/root-cause/"


def test_the_change_page_offers_eligible_authorizers_only(frozen, client, author, manager, security, cto,  # noqa: F811
                                                          peer, auditor):
    change = emergency_change(author)
    page = signed_in(client, author).get(f"/changes/{change.pk}/").content.decode()
    assert "Record a verbal authorization" in page
    form = page[page.index('name="authorizer"'):page.index("</select>", page.index('name="authorizer"'))]
    assert f'value="{manager.pk}"' in form and f'value="{security.pk}"' in form and f'value="{cto.pk}"' in form
    assert f'value="{peer.pk}"' not in form and f'value="{author.pk}"' not in form
    page = signed_in(client, auditor).get(f"/changes/{change.pk}/").content.decode()
    assert "Record a verbal authorization" not in page


def test_recording_an_authorization_from_the_page(frozen, client, author, cto):  # noqa: F811
    change = emergency_change(author)
    response = signed_in(client, author).post(authorize_url(change), {
        "authorizer": cto.pk, "role": "cto", "how": "phone", "notes": "Bridge call"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="emergency"')
    assert "Sent to Cora to confirm" in body and "not yet authorized" in body
    assert not EmergencyAuthorization.objects.exists()  # only the CTO's confirmation writes it
    link = Notification.objects.get(user=cto).url
    confirmed = signed_in(client, cto).post(link)
    assert confirmed.status_code == 302
    row = EmergencyAuthorization.objects.get(change=change)
    assert (row.authorizer, row.authorizer_role, row.how, row.recorded_by) == (cto, "cto", "phone", author)
    assert LedgerEntry.objects.filter(action="emergency.authorized").count() == 1


def test_a_backdated_time_is_kept_in_the_organisation_time_zone(frozen, client, author, manager):  # noqa: F811
    change = emergency_change(author)
    frozen.move_to(datetime(2026, 11, 23, 14, 0, tzinfo=f.NY))
    signed_in(client, manager).post(authorize_url(change), {
        "authorizer": manager.pk, "role": "manager", "how": "in_person", "authorized_at": "2026-11-23T12:30"})
    assert EmergencyAuthorization.objects.get(change=change).authorized_at == datetime(2026, 11, 23, 12, 30,
                                                                                       tzinfo=f.NY)


def test_a_wrong_role_is_refused_with_403_in_the_panel(frozen, client, author, manager):  # noqa: F811
    change = emergency_change(author)
    response = signed_in(client, author).post(authorize_url(change), {
        "authorizer": manager.pk, "role": "security", "how": "phone"}, **HTMX)
    assert response.status_code == 200  # a 403 is shown inline (htmx does not swap 403)
    assert "does not hold the security role" in response.content.decode()
    assert not EmergencyAuthorization.objects.exists()


def test_after_hours_only_the_on_call_manager_may_authorize(frozen, client, author, manager):  # noqa: F811
    frozen.move_to(NIGHT)
    change = emergency_change(author)
    response = signed_in(client, author).post(authorize_url(change), {
        "authorizer": manager.pk, "role": "manager", "how": "phone"})
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "Not recorded: After hours only the on-call manager may authorize" in page
    assert not EmergencyAuthorization.objects.exists()


def test_bad_fields_are_shown_on_the_form_with_400(frozen, client, author, manager):  # noqa: F811
    change = emergency_change(author)
    response = signed_in(client, author).post(authorize_url(change), {
        "authorizer": manager.pk, "role": "manager", "how": "telepathy", "authorized_at": "2026-11-20T08:00"},
        **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body and "<details open>" in body
    assert not EmergencyAuthorization.objects.exists()
    response = client.post(authorize_url(change), {
        "authorizer": manager.pk, "role": "manager", "how": "phone", "authorized_at": "2026-11-20T08:00"}, **HTMX)
    assert response.status_code == 400 and "more than 24 hours back" in response.content.decode()


def test_a_second_authorization_in_the_same_role_answers_409(frozen, client, author, manager, cto, cab_chair):  # noqa: F811
    change = emergency_change(author)
    authorize(change, author, cto, "cto")
    deploy(change, author)
    response = signed_in(client, author).post(authorize_url(change), {
        "authorizer": manager.pk, "role": "manager", "how": "phone"}, **HTMX)
    assert response.status_code == 409 and "no longer waits for authorization" in response.content.decode()


def test_auditors_may_not_record(frozen, client, author, auditor, cto):  # noqa: F811
    change = emergency_change(author)
    response = signed_in(client, auditor).post(authorize_url(change), {
        "authorizer": cto.pk, "role": "cto", "how": "phone"}, **HTMX)
    assert "Only the change&#x27;s author or owner" in response.content.decode()
    assert not EmergencyAuthorization.objects.exists()


def test_recording_the_root_cause_from_the_page(frozen, client, author, cto):  # noqa: F811
    change = emergency_change(author)
    authorize(change, author, cto, "cto")
    deploy(change, author)
    page = signed_in(client, author).get(f"/changes/{change.pk}/").content.decode()
    assert "Record root cause" in page and "Record a verbal authorization" not in page
    empty = client.post(root_cause_url(change), {"root_cause": "  "}, **HTMX)
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    response = client.post(root_cause_url(change), {"root_cause": "Expired TLS certificate"})
    assert response.status_code == 303
    review = EmergencyReview.objects.get(change=change)
    assert review.root_cause == "Expired TLS certificate" and review.root_cause_by == author
    assert "Root-cause analysis recorded." in client.get(response["Location"]).content.decode()


def test_root_cause_before_deployment_answers_409(frozen, client, author):  # noqa: F811
    change = emergency_change(author)
    response = signed_in(client, author).post(root_cause_url(change), {"root_cause": "Disk full"}, **HTMX)
    assert response.status_code == 409 and "no emergency paperwork" in response.content.decode()
