"""The metrics filters (period, team, service, risk, type), shared by the page, the CSV and the API: a bad
value is a 400 naming the field, never a 500.

A period is a calendar month in ORG_TIME_ZONE (`2026-11`), or the last 30, 90 or 365 days up to now
(`30d`, `90d`, `365d`); by default the current month."""
import re
from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from changemgmt.models import Team
from changes.choices import ChangeType, RiskLevel
from changes.models import Service
from metrics.selectors import Period, Scope

ROLLING = {"30d": 30, "90d": 90, "365d": 365}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTHS_OFFERED = 13


def month_period(year: int, month: int) -> Period:
    zone = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return Period(f"{year:04d}-{month:02d}", start.strftime("%B %Y"), start, end)


def previous_month(now=None) -> Period:
    today = timezone.localdate(now or timezone.now())
    last = today.replace(day=1) - timedelta(days=1)
    return month_period(last.year, last.month)


def parse_period(key: str, now=None) -> Period:
    """A Period from its key; ValueError naming the rule when the key means none."""
    now = now or timezone.now()
    if key in ROLLING:
        return Period(key, f"Last {ROLLING[key]} days", now - timedelta(days=ROLLING[key]), now)
    match = MONTH.match(key)
    if not match or not (1900 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12):
        raise ValueError("Use a month (YYYY-MM, years 1900-2999) or one of 30d, 90d, 365d.")
    return month_period(int(match[1]), int(match[2]))


def period_choices(now=None) -> list[tuple[str, str]]:
    today = timezone.localdate(now or timezone.now())
    months, year, month = [], today.year, today.month
    for _ in range(MONTHS_OFFERED):
        months.append((f"{year:04d}-{month:02d}", datetime(year, month, 1).strftime("%B %Y")))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months + [(key, f"Last {days} days") for key, days in ROLLING.items()]


class MetricsFilterForm(forms.Form):
    period = forms.CharField(required=False, widget=forms.Select,
                             help_text="A month (YYYY-MM) or 30d, 90d, 365d; default this month.")
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), required=False, empty_label="All teams")
    service = forms.ModelChoiceField(queryset=Service.objects.order_by("name"), required=False,
                                     empty_label="All services")
    risk = forms.ChoiceField(choices=[("", "All risk levels"), *RiskLevel.choices], required=False)
    type = forms.ChoiceField(choices=[("", "All types"), *ChangeType.choices], required=False)

    ALLOWED = {"period", "team", "service", "risk", "type"}

    def __init__(self, data=None, *, strict: bool = False, **kwargs):
        self.unknown = sorted(set(data or {}) - self.ALLOWED) if strict else []
        super().__init__(data if data is not None else None, **kwargs)
        self.fields["period"].widget.choices = period_choices()

    def clean_period(self):
        key = self.cleaned_data["period"] or timezone.localdate().strftime("%Y-%m")
        try:
            return parse_period(key)
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None

    def clean(self):
        data = super().clean()
        for name in self.unknown:
            self._errors[name] = self.error_class([f"Unknown filter; use {', '.join(sorted(self.ALLOWED))}."])
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(team=data["team"].pk if data.get("team") else None,
                     service=data["service"].pk if data.get("service") else None,
                     risk=data.get("risk") or "", change_type=data.get("type") or "")
