"""Markup built in Python for the month's entries and the service filter's options (a busy month has
hundreds of the one, the catalogue a thousand of the other), and the week and day views' time grid:
an hour per row, a day per column, in the organisation's time zone. Each hour cell knows the
deployment window and the freeze it lies in (shaded, with a label on the hour they begin) and the
entries that start in it; cancelled and rejected changes stay on the grid, muted, with their state
named. Built in memory from changes.calendar.selectors: no query per change or per cell."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from changes import rules as change_rules
from changes.choices import State
from changes.models import Service

HOURS = range(24)
# Shown on the grid, muted and struck through with their state label: they will not happen.
MUTED_STATES = (State.CANCELLED, State.REJECTED)
FREEZE_RANK = {"hard": 2, "soft": 1}


@dataclass
class HourCell:
    start: datetime
    today: bool = False
    window: str = ""  # the window's label on the hour it opens ("" inside it)
    in_window: bool = False
    freeze_kind: str = ""
    freeze_labels: list[str] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)


@dataclass
class Column:
    day: date
    today: bool
    cells: list[HourCell]


@dataclass
class HourRow:
    label: str
    cells: list[HourCell]


MONTH_ENTRY = '<a class="cal-entry risk-{}{}" href="{}" title="{} {}">{}{} {} {}</a>'
CONFLICT_MARK = mark_safe('<span class="cal-conflict" aria-hidden="true">⚠</span>'
                          '<span class="visually-hidden">Conflict: </span> ')


def month_entry(row: dict, url: str, reference: str, colour: str) -> SafeString:
    """A month cell's link to a change (a row of selectors.month_entries): the markup the template gave
    it, built here because a busy month has a few hundred and each cost a dozen template lookups."""
    return format_html(MONTH_ENTRY, colour, " actual" if row["actual"] else "", url, reference, row["title"],
                       CONFLICT_MARK if row["conflict"] else "", f"{timezone.localtime(row['start']):%H:%M}",
                       reference, row["title"])


def service_options(selected_id: int | None) -> SafeString:
    """The service select's options, the markup the template loop gave, joined here: a catalogue of a
    thousand services costs a template loop a thousand iterations and as many model objects."""
    return mark_safe("".join(  # every name escaped
        f'<option value="{pk}"{" selected" if pk == selected_id else ""}>{escape(name)}</option>'
        for pk, name in Service.objects.values_list("pk", "name")))


def _hour(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour)).replace(tzinfo=timezone.get_current_timezone())


def _hours_overlapping(column: Column, start: datetime, end: datetime):
    """The hour cells of `column` that [start, end) overlaps."""
    for cell in column.cells:
        if cell.start < end and cell.start + timedelta(hours=1) > start:
            yield cell


def time_grid(days: list[date], entries: list[dict], data, user) -> tuple[list[Column], list[HourRow]]:
    """Columns (one per day) and rows (one per hour) sharing the same HourCell objects."""
    today = timezone.localdate()
    columns = [Column(day, day == today, [HourCell(_hour(day, h), today=day == today) for h in HOURS])
               for day in days]
    by_day = {column.day: column for column in columns}
    first = _hour(days[0], 0)
    for start, end, risks in data.windows:
        column = by_day.get(start.date())
        for index, cell in enumerate(_hours_overlapping(column, start, end) if column else ()):
            cell.in_window = True
            if index == 0:
                cell.window = f"Window {start:%H:%M}–{end:%H:%M} · {', '.join(sorted(risks))}"
    for period in data.freezes:
        starts_at, ends_at = timezone.localtime(period.starts_at), timezone.localtime(period.ends_at)
        for column in columns:
            for index, cell in enumerate(_hours_overlapping(column, starts_at, ends_at)):
                if FREEZE_RANK.get(period.kind, 0) > FREEZE_RANK.get(cell.freeze_kind, 0):
                    cell.freeze_kind = period.kind
                if index == 0:
                    cell.freeze_labels.append(f"{period.name} ({period.kind} freeze)")
    for entry in entries:
        change = entry["change"]
        where = max(entry["start"], first)
        column = by_day.get(where.date())
        if column is None:
            continue
        entry["muted"] = change.state in MUTED_STATES
        entry["state_label"] = change.get_state_display()
        entry["may_reschedule"] = not entry["actual"] and change_rules.can_reschedule(user, change)
        entry["minutes"] = int((entry["end"] - entry["start"]).total_seconds() // 60)
        column.cells[where.hour].entries.append(entry)
    rows = [HourRow(f"{h:02d}:00", [column.cells[h] for column in columns]) for h in HOURS]
    return columns, rows
