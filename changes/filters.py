"""The one FilterSet for change requests, shared by the HTML list and the API list."""
import re

import django_filters
from django.db.models import Case, F, IntegerField, Q, Value, When
from django_filters.fields import IsoDateTimeField

from changemgmt.api.input import check_moment
from changes.choices import RISK_ORDER, Category, ChangeType, RiskLevel, State
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


def _rank(field: str, order: list) -> Case:
    """Position in `order`; anything else (a risk not scored yet) ranks below the first."""
    return Case(*[When(**{field: value}, then=Value(index)) for index, value in enumerate(order)],
                default=Value(-1), output_field=IntegerField())


# `?sort=` keys and what they order by: risk and state in their own order (low→critical, the life
# cycle), not alphabetically. The page's column headers and `GET /api/changes/?sort=` share them.
SORT_KEYS = {
    "reference": "id", "title": "title", "state": _rank("state", list(State.values)),
    "type": "change_type", "risk": _rank("risk_level", sorted(RISK_ORDER, key=RISK_ORDER.get)),
    "owner": "owner__username", "planned_start": "planned_start", "created": "created_at",
}


class ChangeOrdering(django_filters.OrderingFilter):
    """`sort=key` or `sort=-key` (descending), several comma-separated; ties broken by newest first."""

    def __init__(self, **kwargs):
        super().__init__(fields={key: key for key in SORT_KEYS}, **kwargs)

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        target = SORT_KEYS[param.lstrip("-")]
        if isinstance(target, str):
            return F(target).desc(nulls_last=True) if descending else F(target).asc(nulls_last=True)
        return target.desc() if descending else target.asc()

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.order_by(*[self.get_ordering_value(param) for param in value], "-created_at", "-id")


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
    sort = ChangeOrdering(label="Sort by", help_text="A column (reference, title, state, type, risk, owner, "
                                                     "planned_start, created); prefix - for descending.")

    class Meta:
        model = ChangeRequest
        fields = ["q", "state", "change_type", "risk_level", "category", "owner", "service", "sort"]

    @classmethod
    def given(cls, query) -> bool:
        """Whether `query` names a filter. Without one the FilterSet changes nothing (every filter
        skips a missing value), so the lists skip building it."""
        return not query.keys().isdisjoint(cls.base_filters)

    @classmethod
    def form_class(cls):
        """The form class, built once per process: django-filter built a class and a field per filter
        on every request, though none depends on it (the service field's queryset is copied for each
        form, as a form copies its fields). Only the data varies."""
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = cls._form_class = super(ChangeFilter, cls()).get_form_class()
        return form_class

    def get_form_class(self):
        return type(self).form_class()

    def search(self, queryset, name, value):
        """Free text over title and description; `CHG-000123` or `123` finds that change."""
        match = REFERENCE.match(value)
        condition = Q(title__icontains=value) | Q(description__icontains=value)
        if match:
            condition |= Q(pk=int(match.group(1)))
        return queryset.filter(condition)
