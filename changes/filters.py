"""The one FilterSet for change requests, shared by the HTML list and the API list."""
import re

import django_filters
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from changemgmt.api.input import check_moment
from changes.choices import Category, ChangeType, RiskLevel, State
from changes.models import REFERENCE_PREFIX, ChangeRequest, Service

REFERENCE = re.compile(rf"^\s*(?:{REFERENCE_PREFIX})?0*(\d+)\s*$", re.IGNORECASE)


class MomentField(IsoDateTimeField):
    """An ISO 8601 date-time that exists, in range and with a real UTC offset (changemgmt.api.input):
    the database refuses the rest (PostgreSQL fails on an offset past 15:59)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None:
            check_moment(moment)
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class ChangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    change_type = django_filters.MultipleChoiceFilter(choices=ChangeType.choices, label="Type")
    risk_level = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices, label="Risk")
    category = django_filters.MultipleChoiceFilter(choices=Category.choices)
    owner = django_filters.NumberFilter(field_name="owner_id", label="Owner (user id)")
    service = django_filters.ModelChoiceFilter(field_name="services", queryset=Service.objects.all(),
                                               label="Service", distinct=True)
    planned_after = MomentFilter(field_name="planned_start", lookup_expr="gte",
                                                     label="Planned start from")
    planned_before = MomentFilter(field_name="planned_start", lookup_expr="lt",
                                                      label="Planned start before")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    external_source = django_filters.CharFilter(label="External source (e.g. jira)")
    external_key = django_filters.CharFilter(label="External key (e.g. PAY-42)")

    class Meta:
        model = ChangeRequest
        fields = ["q", "state", "change_type", "risk_level", "category", "owner", "service"]

    def search(self, queryset, name, value):
        """Free text over title and description; `CHG-000123` or `123` finds that change."""
        match = REFERENCE.match(value)
        condition = Q(title__icontains=value) | Q(description__icontains=value)
        if match:
            condition |= Q(pk=int(match.group(1)))
        return queryset.filter(condition)
