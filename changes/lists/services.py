"""Writes of the change list: saved filters (each with its ledger entry), and bulk actions that run
the one service of each action (changes.services) per selected change — each change locked, checked
and recorded on its own, so one refusal neither stops nor undoes the others and is reported by name."""
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from changemgmt import ledger
from changemgmt.errors import Conflict, GateRefused
from changemgmt.refusals import describe
from changes import services as change_services
from changes.lists.forms import BulkForm, SavedFilterForm
from changes.lists.models import SavedFilter
from changes.models import REFERENCE_PREFIX, ChangeRequest

DROPPED = {"page", "csrfmiddlewaretoken"}


def _errors(form) -> ValidationError:
    return ValidationError({name: [error["message"] for error in errors]
                            for name, errors in form.errors.get_json_data().items()})


def clean_query(query: str) -> str:
    """The query string as it will be replayed: without the page number."""
    return urlencode([(key, value) for key, value in parse_qsl(query, keep_blank_values=False) if key not in DROPPED])


def save_filter(*, actor, data) -> SavedFilter:
    """Save (or, under the same name, replace) one of `actor`'s filters."""
    form = SavedFilterForm(data=data)
    if not form.is_valid():
        raise _errors(form)
    with transaction.atomic():
        saved, created = SavedFilter.objects.update_or_create(
            user=actor, name=form.cleaned_data["name"], defaults={"query": clean_query(form.cleaned_data["query"])})
        ledger.append(actor=actor, action="list.filter_saved" if created else "list.filter_replaced",
                      subject=f"changes.savedfilter:{saved.pk}", payload={"name": saved.name, "query": saved.query})
        return saved


def rename_filter(*, actor, filter_id: int, name: str) -> SavedFilter:
    """Rename one of `actor`'s own filters (its query stays); anyone else's is not found (404). A name the
    actor already uses for another filter is refused: saving under it would replace that one."""
    form = SavedFilterForm(data={"name": name, "query": ""})
    if not form.is_valid():
        raise _errors(form)
    new_name = form.cleaned_data["name"]
    with transaction.atomic():
        saved = SavedFilter.objects.select_for_update().filter(pk=filter_id, user=actor).first()
        if saved is None:
            raise SavedFilter.DoesNotExist("No such saved filter.")
        if new_name != saved.name and SavedFilter.objects.filter(user=actor, name=new_name).exists():
            raise ValidationError({"name": f"You already have a filter named “{new_name}”."})
        old_name, saved.name = saved.name, new_name
        saved.save(update_fields=["name"])
        ledger.append(actor=actor, action="list.filter_renamed", subject=f"changes.savedfilter:{saved.pk}",
                      payload={"name": new_name, "was": old_name})
        return saved


def delete_filter(*, actor, filter_id: int) -> None:
    """Delete one of `actor`'s own filters; anyone else's is not found (404)."""
    with transaction.atomic():
        saved = SavedFilter.objects.select_for_update().filter(pk=filter_id, user=actor).first()
        if saved is None:
            raise SavedFilter.DoesNotExist("No such saved filter.")
        ledger.append(actor=actor, action="list.filter_deleted", subject=f"changes.savedfilter:{saved.pk}",
                      payload={"name": saved.name})
        saved.delete()


def label_of(change_id: int) -> str:
    """The reference a bulk outcome names a change by (ChangeRequest.reference, without loading it)."""
    return f"{REFERENCE_PREFIX}{change_id:06d}"


@dataclass
class BulkOutcome:
    done: list[str] = field(default_factory=list)  # references
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference or id, why)


def bulk(*, actor, data) -> BulkOutcome:
    """Reschedule or cancel each selected change through its own service call, in its own transaction."""
    form = BulkForm(data=data)
    if not form.is_valid():
        raise _errors(form)
    cleaned, outcome = form.cleaned_data, BulkOutcome()
    found = set(ChangeRequest.objects.filter(pk__in=cleaned["changes"]).values_list("pk", flat=True))
    for change_id in cleaned["changes"]:
        label = label_of(change_id)
        if change_id not in found:
            outcome.refused.append((label, "No such change."))
            continue
        try:
            if cleaned["action"] == "cancel":
                change_services.run_transition(change_id=change_id, name="cancel", actor=actor,
                                               data={"reason": cleaned["reason"]})
            else:
                change_services.reschedule(change_id=change_id, actor=actor, reason=cleaned["reason"],
                                           planned_start=cleaned["planned_start"],
                                           planned_end=cleaned["planned_end"])
        except GateRefused as refusal:
            outcome.refused.append((label, "; ".join(f"{item.message} [{item.policy}]" for item in refusal.missing)))
        except (PermissionDenied, ValidationError, Conflict) as refusal:
            outcome.refused.append((label, describe(refusal)))
        else:
            outcome.done.append(label)
    return outcome
