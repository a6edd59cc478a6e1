"""The review follow-ups page of a change: see them, answer one. A bad answer is the page with the
form's errors (400), a refusal 403, an answer already recorded 409."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from changemgmt.errors import Conflict
from changemgmt.web.access import member_required
from changes.models import ChangeRequest
from changes.review import selectors, services
from changes.review.forms import AnswerForm
from changes.review.rules import may_answer


def _page(request, change, *, bound=None, error="", status=200):
    rows = [{"follow_up": row, "form": bound[1] if bound and bound[0] == row.pk else AnswerForm(prefix=str(row.pk))}
            for row in selectors.follow_ups_of(change.pk)]
    return render(request, "review/follow_ups.html", {
        "change": change, "rows": rows, "may_answer": may_answer(request.user, change), "error": error},
        status=status)


@member_required
def follow_ups(request, pk: int):
    return _page(request, get_object_or_404(ChangeRequest, pk=pk))


@member_required
@require_POST
def answer(request, pk: int, follow_up_id: int):
    change = get_object_or_404(ChangeRequest, pk=pk)
    if not change.review_follow_ups.filter(pk=follow_up_id).exists():
        return _page(request, change, error="No such follow-up of this change.", status=404)
    form = AnswerForm(request.POST, prefix=str(follow_up_id))
    if not form.is_valid():
        return _page(request, change, bound=(follow_up_id, form), status=400)
    try:
        services.answer_follow_up(follow_up_id=follow_up_id, actor=request.user, notes=form.cleaned_data["notes"],
                                  issues_found=form.cleaned_data["issues_found"])
    except ValidationError as refusal:
        for field, errors in refusal.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, change, bound=(follow_up_id, form), status=400)
    except PermissionDenied as refusal:
        return _page(request, change, error=str(refusal), status=403)
    except Conflict as refusal:
        return _page(request, change, error=refusal.message, status=409)
    messages.success(request, "Follow-up answer recorded.")
    return redirect(reverse("changes:review", args=[pk]))
