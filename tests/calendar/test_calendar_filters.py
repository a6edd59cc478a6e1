"""One parser for the calendar's filters (changes.calendar.forms.CalendarFilterForm): the page drops a
bad value and shows everything, the API answers 400 naming the field, and both read the same values."""
import pytest

from changes.calendar.forms import CalendarFilterForm
from changes.choices import RiskLevel
from tests.support.api import authenticated as api

RISKS = f"One of {', '.join(RiskLevel.values)}."


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"service": None, "team": None, "risk": ""}),
    ({"service": "7", "team": "3", "risk": "high"}, {"service": 7, "team": 3, "risk": "high"}),
    ({"service": "abc", "team": "-1", "risk": "extreme"}, {"service": None, "team": None, "risk": ""}),
    ({"service": str(2 ** 63)}, {"service": None, "team": None, "risk": ""}),
])
def test_the_form_keeps_the_valid_filters_only(query, expected):
    assert CalendarFilterForm(query).filters() == expected


def test_the_form_names_each_bad_filter():
    form = CalendarFilterForm({"service": "abc", "team": "-1", "risk": "extreme"})
    assert not form.is_valid()
    assert form.errors == {"service": ["Give an id."], "team": ["Give an id."],
                           "risk": [RISKS]}


def test_the_page_and_the_api_read_a_bad_filter_through_the_same_form(frozen, requester, client):
    refused = api(requester).get("/api/calendar/events/", {"service": "abc", "risk": "extreme"})
    assert refused.status_code == 400
    assert refused.json()["service"] == ["Give an id."] and refused.json()["risk"] == [RISKS]
    client.force_login(requester)
    assert client.get("/calendar/?view=list&service=abc&risk=extreme").status_code == 200
