"""Filing and editing a change on the web: field-level errors from the service, nothing half-saved,
and the standard-change catalog with its conversion notice."""
from django.urls import reverse

from changemgmt.models import LedgerEntry
from changes.choices import ChangeType
from changes.models import ChangeRequest, StandardTemplate
from tests.support import factories as f


def page_form(**overrides):
    """What the browser posts: the datetime-local inputs send local time without a zone."""
    data = f.complete_fields(planned_start="2026-12-01T06:00", planned_end="2026-12-01T07:00")
    data.update(overrides)
    return data


def test_filing_with_missing_fields_shows_field_errors_and_saves_nothing(client, frozen, requester):
    client.force_login(requester)
    response = client.post(reverse("changes:create"), {"description": "no title"})
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert "Nothing was saved" in response.content.decode()
    assert not ChangeRequest.objects.exists() and not LedgerEntry.objects.filter(action="change.created").exists()


def test_a_100_kb_title_is_a_field_error(client, frozen, requester):
    client.force_login(requester)
    response = client.post(reverse("changes:create"), page_form(title="x" * 100_000))
    assert response.status_code == 400
    assert "at most 200 characters" in str(response.context["form"].errors["title"])
    assert not ChangeRequest.objects.exists()


def test_end_before_start_is_a_field_error(client, frozen, requester):
    client.force_login(requester)
    response = client.post(reverse("changes:create"), page_form(planned_end="2026-12-01T05:00"))
    assert response.status_code == 400
    assert "after the planned start" in str(response.context["form"].errors["planned_end"])
    assert not ChangeRequest.objects.exists()


def test_filing_a_complete_change_saves_it_in_local_time_and_opens_its_page(client, frozen, requester):
    client.force_login(requester)
    response = client.post(reverse("changes:create"), page_form())
    change = ChangeRequest.objects.get()
    assert response.status_code == 303 and response["Location"] == reverse("changes:detail", args=[change.pk])
    assert change.planned_start == f.PLANNED_START and change.requester == requester
    assert [s.name for s in change.services.all()] == ["payments-api"]


def test_editing_keeps_unticked_boxes_unticked(client, frozen, requester):
    client.force_login(requester)
    client.post(reverse("changes:create"), page_form(security_triggers=["crypto"]))
    change = ChangeRequest.objects.get()
    edit = client.get(reverse("changes:edit", args=[change.pk]))
    assert 'value="2026-12-01T06:00"' in edit.content.decode()
    client.post(reverse("changes:edit", args=[change.pk]), page_form(title="Renamed"))  # no trigger ticked
    change = f.reload(change)
    assert change.title == "Renamed" and change.security_triggers == []


def test_only_the_author_may_edit(client, frozen, requester, peer):
    client.force_login(requester)
    client.post(reverse("changes:create"), page_form())
    change = ChangeRequest.objects.get()
    client.force_login(peer)
    assert client.get(reverse("changes:edit", args=[change.pk])).status_code == 403
    assert client.post(reverse("changes:edit", args=[change.pk]), page_form(title="hijack")).status_code == 403
    assert f.reload(change).title != "hijack"


def make_template():
    return StandardTemplate.objects.create(
        name="Patch-level dependency update", description="Bump a patch version.", category="application",
        implementation_plan="Merge the bot PR.", test_plan="CI suite.", rollback_plan="Revert the PR.",
        risk_scores=f.LOW_RISK)


def test_catalog_files_a_pre_approved_standard_change(client, frozen, requester):
    template = make_template()
    StandardTemplate.objects.create(name="Retired", description="-", category="application",
                                    implementation_plan="-", test_plan="-", rollback_plan="-", active=False)
    client.force_login(requester)
    catalog = client.get(reverse("changes:catalog")).content.decode()
    assert "Patch-level dependency update" in catalog and "Retired" not in catalog
    form = client.get(reverse("changes:create-from-template", args=[template.pk])).content.decode()
    assert 'name="implementation_plan"' not in form  # fixed by the template
    data = {k: v for k, v in page_form().items() if k not in StandardTemplate.CONTROLLED_FIELDS}
    response = client.post(reverse("changes:create-from-template", args=[template.pk]), data, follow=True)
    change = ChangeRequest.objects.get()
    assert change.change_type == ChangeType.STANDARD and change.template == template
    assert change.implementation_plan == "Merge the bot PR." and change.risk_level == "low"
    assert "pre-approved" in response.content.decode()


def test_editing_a_template_controlled_field_shows_the_conversion_notice(client, frozen, requester):
    template = make_template()
    client.force_login(requester)
    data = {k: v for k, v in page_form().items() if k not in StandardTemplate.CONTROLLED_FIELDS}
    client.post(reverse("changes:create-from-template", args=[template.pk]), data)
    change = ChangeRequest.objects.get()
    edited = page_form(change_type="standard", implementation_plan="Something else entirely.")
    response = client.post(reverse("changes:edit", args=[change.pk]), edited, follow=True)
    assert "now a normal change" in response.content.decode()
    assert f.reload(change).change_type == ChangeType.NORMAL
