"""Schedule rules [POLICY §6]: deployment windows by weekday and risk, freezes, lead time.

Everything is reasoned about in the organisation's time zone (settings.TIME_ZONE) and stored in UTC.
"""
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from changemgmt import policy
from changemgmt.errors import Missing
from changes.choices import ChangeType, FreezeKind

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
REF_WINDOWS = "POLICY §6 [002 §9.1-9.2][004 §4.5]"
REF_LEAD = "POLICY §1 [002][004]"


def _parse(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def windows_on(day_local: datetime, risk: str) -> list[tuple[datetime, datetime]]:
    """The windows open to `risk` on the local calendar day of `day_local`, as aware datetimes."""
    tz = timezone.get_current_timezone()
    entries = policy.get("deployment_windows")[WEEKDAYS[day_local.weekday()]]
    result = []
    for entry in entries:
        if risk in entry["risks"]:
            start = datetime.combine(day_local.date(), _parse(entry["start"])).replace(tzinfo=tz)
            end = datetime.combine(day_local.date(), _parse(entry["end"])).replace(tzinfo=tz)
            result.append((start, end))
    return result


def window_violations(*, change_type: str, risk: str, start: datetime, end: datetime) -> list[Missing]:
    if change_type == ChangeType.EMERGENCY:
        return []
    local_start = timezone.localtime(start)
    local_end = timezone.localtime(end)
    for window_start, window_end in windows_on(local_start, risk):
        if window_start <= local_start and local_end <= window_end:
            return []
    windows = policy.get("deployment_windows")
    allowed = [f"{day.capitalize()} {w['start']}-{w['end']}" for day in WEEKDAYS for w in windows[day]
               if risk in w["risks"]]
    return [Missing(
        "outside_window",
        f"{local_start:%a %Y-%m-%d %H:%M}-{local_end:%H:%M} is outside every deployment window for {risk} risk "
        f"(allowed: {', '.join(allowed) or 'emergency changes only'}).",
        REF_WINDOWS,
    )]


def overlapping_freezes(*, start: datetime, end: datetime, service_ids):
    from changes.models import Freeze

    return (Freeze.objects.filter(starts_at__lt=end, ends_at__gt=start)
            .filter(Q(services__isnull=True) | Q(services__in=list(service_ids)))
            .distinct().order_by("starts_at"))


def freeze_violations(*, change_type: str, start: datetime, end: datetime, service_ids,
                      justification: str = "") -> list[Missing]:
    if change_type == ChangeType.EMERGENCY:
        return []
    missing = []
    for freeze in overlapping_freezes(start=start, end=end, service_ids=service_ids):
        if freeze.kind == FreezeKind.HARD:
            missing.append(Missing("hard_freeze", f"Hard freeze “{freeze.name}” "
                                   f"({timezone.localtime(freeze.starts_at):%Y-%m-%d %H:%M} to "
                                   f"{timezone.localtime(freeze.ends_at):%Y-%m-%d %H:%M}) allows emergency changes "
                                   "only.", "POLICY §6 freezes"))
        elif not justification.strip():
            missing.append(Missing("soft_freeze_justification", f"Soft freeze “{freeze.name}” requires a written "
                                   "justification.", "POLICY §6 freezes"))
    return missing


def lead_time_violations(*, change_type: str, risk: str, planned_start: datetime, from_time: datetime
                         ) -> list[Missing]:
    hours = policy.get("lead_time_hours")[change_type][risk]
    if planned_start - from_time < timedelta(hours=hours):
        earliest = timezone.localtime(from_time + timedelta(hours=hours))
        return [Missing("lead_time", f"A {change_type} {risk}-risk change needs {hours} h lead time: "
                        f"plan the start at {earliest:%Y-%m-%d %H:%M} or later.", REF_LEAD)]
    return []
