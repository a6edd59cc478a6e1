"""The endpoint the change page posts an approval decision to: parses the input, calls one service,
and answers with a message on the change page. Rules stay in the service."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from approvals import services
from approvals.models import ApprovalSlot
from changemgmt.errors import Conflict
from changemgmt.web.access import member_required


@member_required
@require_POST
def decide(request, slot_id: int):
    change_id = ApprovalSlot.objects.filter(pk=slot_id).values_list("change_id", flat=True).first()
    if change_id is None:
        raise Http404("No such approval.")
    back = reverse("changes:detail", args=[change_id]) + "#approvals"
    verdict = request.POST.get("verdict", "")
    try:
        slot = services.decide(slot_id=slot_id, actor=request.user, verdict=verdict,
                               reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"Not recorded: {message}")
        return redirect(back)
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect(back)
    messages.success(request, f"{slot.get_role_display()} approval {slot.get_status_display().lower()}.")
    return redirect(back)

