"""CAB pages. Thin: read through cab.selectors, write through cab.services, show buttons by
cab.rules. A refused action comes back as a message with the service's reason."""
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cab import presenters, rules, selectors
from cab.choices import MeetingStatus
from cab.markdown import record_markdown
from cab.models import ActionItem, AgendaItem, Vote
from cab.services import actions, minutes, voting
from cab.services import agenda as agenda_services
from cab.services import meetings as meeting_services
from changemgmt.api.input import parse_day, parse_moment
from changemgmt.errors import Conflict, GateRefused
from changemgmt.models import User
from changemgmt.web.access import member_required
from changemgmt.web.htmx import redirect_page, render_page


def _meeting(pk, queryset=None):
    if queryset is None:
        queryset = selectors.meeting_detail_queryset()
    meeting = queryset.filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def _refusal(exc) -> str:
    if isinstance(exc, GateRefused):
        return " ".join(m.message for m in exc.missing)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "Not allowed."


def _act(request, action, url, success):
    """Run one service call; report success or the refusal, then go back to `url`. An object that
    does not exist (a meeting or action item id in the URL) is a 404, as on every page."""
    try:
        action()
        messages.success(request, success)
    except ObjectDoesNotExist as exc:
        raise Http404("No such object.") from exc
    except (PermissionDenied, Conflict, GateRefused, ValidationError) as exc:
        messages.error(request, _refusal(exc))
    return redirect_page(request, url)


def _meeting_url(pk):
    return reverse("cab:meeting", args=[pk])


@member_required
def meeting_list(request):
    upcoming = selectors.meeting_list().exclude(status=MeetingStatus.PUBLISHED).order_by("starts_at")[:20]
    past = selectors.meeting_list().filter(status=MeetingStatus.PUBLISHED).order_by("-starts_at")[:20]
    return render(request, "cab/meeting_list.html", {
        "upcoming": upcoming, "past": past, "can_chair": rules.can_chair(request.user),
        "board": presenters.board_rows(request.user, selectors.board())})


@member_required
def meeting_detail(request, pk):
    return render(request, "cab/meeting.html", presenters.meeting_page(
        _meeting(pk, selectors.meeting_page_queryset()), request.user))


@member_required
def item_tally(request, pk):
    """The live tally fragment each member's page polls."""
    try:
        item = selectors.item_for_tally(pk)
    except AgendaItem.DoesNotExist as exc:
        raise Http404("No such agenda item.") from exc
    attendance = list(item.meeting.attendance.all())
    present = {row.user_id for row in attendance if row.present}
    from cab.tally import tally

    votes = [v for v in item.votes.all() if not rules.is_recused_id(v.voter_id, item.change)]
    return render(request, "cab/_tally.html", {
        "item": item, "tally": tally(votes, present, attendance_taken=bool(attendance)), "votes": item.votes.all(),
        "tally_url": reverse("cab:tally", args=[item.pk]),
        "decision": item.decision if rules.hasattr_decision(item) else None})


@require_POST
@member_required
def vote(request, pk):
    item = AgendaItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    choice, comment = request.POST.get("choice", ""), request.POST.get("comment", "")
    has_vote = Vote.objects.filter(item=item, voter=request.user).exists()
    service = voting.change_vote if has_vote and request.POST.get("mode") == "change" else voting.cast_vote
    return _act(request, lambda: service(item_id=pk, actor=request.user, choice=choice, comment=comment),
                _meeting_url(item.meeting_id) + f"#item-{pk}",
                "Your vote was changed." if service is voting.change_vote else "Your vote was recorded.")


@require_POST
@member_required
def decide(request, pk):
    item = AgendaItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    return _act(request, lambda: voting.record_decision(
        item_id=pk, actor=request.user, outcome=request.POST.get("outcome", ""),
        reason=request.POST.get("reason", ""), conditions=request.POST.get("conditions", "")),
        _meeting_url(item.meeting_id) + f"#item-{pk}", "Decision recorded.")


@require_POST
@member_required
def meeting_action(request, pk, action):
    user = request.user
    calls = {
        "start": (lambda: meeting_services.start_meeting(meeting_id=pk, actor=user), "The meeting has started."),
        "end": (lambda: meeting_services.end_meeting(meeting_id=pk, actor=user), "The meeting has ended."),
        "attendance": (lambda: meeting_services.record_attendance(
            meeting_id=pk, actor=user, present_user_ids=request.POST.getlist("present")), "Attendance recorded."),
        "publish": (lambda: minutes.publish(meeting_id=pk, actor=user), "Minutes published and sent to the board."),
        "notes": (lambda: minutes.update_notes(meeting_id=pk, actor=user, notes=request.POST.get("notes", "")),
                  "Notes saved."),
        "add-item": (lambda: agenda_services.add_item(
            meeting_id=pk, actor=user, change_id=int(request.POST["change"]) if request.POST.get("change", "").isdigit()
            else None, title=_line(request.POST, "title"), note=request.POST.get("note", "")), "Item added."),
        "action-item": (lambda: actions.create(
            actor=user, title=_line(request.POST, "title"), kind=request.POST.get("kind", "action"),
            owner=User.objects.filter(pk=_digits(request.POST.get("owner", ""))).first(),
            due_on=_date(request.POST.get("due_on")), meeting_id=pk), "Action item recorded."),
    }
    if action not in calls:
        raise Http404
    call, success = calls[action]
    return _act(request, call, _meeting_url(pk), success)


def _line(form, field: str) -> str:
    """A one-line text field (a title): it becomes an e-mail subject, where a line break drops the mail."""
    text = form.get(field, "")
    if "\n" in text or "\r" in text:
        raise ValidationError({field: "Must fit on one line (no line breaks)."})
    return text


def _digits(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _date(text):
    try:
        day = parse_day(text) if text else None
    except ValidationError as exc:
        raise ValidationError({"due_on": exc.messages}) from exc
    if text and day is None:
        raise ValidationError({"due_on": "A date, YYYY-MM-DD."})
    return day


@require_POST
@member_required
def item_action(request, pk, action):
    item = AgendaItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404
    calls = {
        "remove": (lambda: agenda_services.remove_item(item_id=pk, actor=request.user), "Item removed."),
        "up": (lambda: agenda_services.move(item_id=pk, actor=request.user, offset=-1), "Item moved up."),
        "down": (lambda: agenda_services.move(item_id=pk, actor=request.user, offset=1), "Item moved down."),
    }
    if action not in calls:
        raise Http404
    call, success = calls[action]
    return _act(request, call, _meeting_url(item.meeting_id), success)


@member_required
def minutes_page(request, pk):
    """Printable minutes: the published record, or a live preview before publication."""
    meeting = _meeting(pk)
    record = getattr(meeting, "minutes", None)
    published = record is not None and record.published_at is not None
    body = record_markdown(meeting, record)
    return render(request, "cab/minutes.html", {"meeting": meeting, "record": record, "published": published,
                                                "body": body})


@member_required
def minutes_markdown_export(request, pk):
    meeting = _meeting(pk)
    body = record_markdown(meeting, getattr(meeting, "minutes", None))
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cab-minutes-{pk}.md"'
    return response


def _moment(form) -> datetime | None:
    """The form's `starts_at` (the browser's datetime-local, organisation time), or a ValidationError
    naming the field for one that does not exist or lies out of range."""
    text = form.get("starts_at", "")
    if not text:
        return None
    try:
        moment = parse_moment(text)
    except ValidationError as exc:
        raise ValidationError({"starts_at": exc.messages}) from exc
    if moment is None:
        raise ValidationError({"starts_at": "Give a date and time, e.g. 2026-12-01T10:00."})
    return moment


@member_required
def emergency(request):
    if request.method == "POST":
        change = request.POST.get("change", "")
        try:
            meeting = meeting_services.convene_emergency(
                actor=request.user, reason=request.POST.get("reason", ""), starts_at=_moment(request.POST),
                change_id=int(change) if change.isdigit() else None)
            messages.success(request, "Emergency CAB convened; invitations are on their way.")
            return redirect_page(request, _meeting_url(meeting.pk))
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _refusal(exc))
    return render_page(request, "cab/emergency.html", {})


@member_required
def action_list(request):
    return render(request, "cab/actions.html", {
        "rows": presenters.action_rows(request.user, ActionItem.objects.select_related("owner", "change", "meeting")
                                       .order_by("status", "due_on")[:200]),
        "can_chair": rules.can_chair(request.user)})


@require_POST
@member_required
def action_status(request, pk):
    return _act(request, lambda: actions.set_status(action_id=pk, actor=request.user,
                                                     status=request.POST.get("status", "")),
                reverse("cab:actions"), "Action item updated.")
