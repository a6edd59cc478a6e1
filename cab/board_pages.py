"""The board list's one write: retiring a seat (cab.services.board.retire) from the CAB page."""
from django.contrib import messages
from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_POST

from cab.models import BoardMember
from cab.services import board
from changemgmt.errors import Conflict
from changemgmt.web.access import member_required
from changemgmt.web.htmx import redirect_page


@require_POST
@member_required
def retire(request, pk: int):
    try:
        member = board.retire(actor=request.user, member_id=pk)
    except BoardMember.DoesNotExist as missing:
        raise Http404("No such board member.") from missing
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, f"{member.user.get_full_name() or member.user.username} no longer holds the "
                                  f"{member.get_seat_display()} seat.")
    return redirect_page(request, reverse("cab:meetings") + "#board")
