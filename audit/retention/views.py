"""The legal hold's page door: the form on a change's audit history page posts here. As the emergency
panel's doors without htmx, every answer goes back to that page with its message (bad input, already in
that state); someone who may not hold gets 403 (the service decides: administrators and the CISO)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from audit.retention import services
from audit.retention.forms import LegalHoldForm
from changemgmt.errors import Conflict
from changes.models import ChangeRequest


@login_required
@require_POST
def legal_hold(request, pk: int):
    change = get_object_or_404(ChangeRequest, pk=pk)
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not recorded: " + " ".join(f"{name}: {' '.join(errors)}"
                                                              for name, errors in form.errors.items()))
        return redirect("audit:change-history", pk=change.pk)
    try:
        services.set_legal_hold(change_id=pk, actor=request.user, **form.cleaned_data)
    except ValidationError as refusal:
        messages.error(request, "Not recorded: " + " ".join(refusal.messages))
    except Conflict as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Legal hold {'placed on' if form.cleaned_data['hold'] else 'released from'} "
                                  f"{change.reference}.")
    return redirect("audit:change-history", pk=change.pk)
