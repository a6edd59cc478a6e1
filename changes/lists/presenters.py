"""What the change list shows beyond its rows: sortable column headers, and the CSV export (its cells,
its lines and its file name), shared by the page's export and the API's."""
import csv
from functools import cache
from html import escape

from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString

from changes import rules
from changes.filters import SORT_KEYS, ChangeFilter
from changes.lists import selectors
from changes.lists.forms import BulkForm

# (label, sort key) of each column of the list, in order.
COLUMNS = [("Reference", "reference"), ("Title", "title"), ("State", "state"), ("Type", "type"), ("Risk", "risk"),
           ("Owner", "owner"), ("Services", None), ("Planned start", "planned_start")]
CSV_HEADER = ["reference", "title", "state", "type", "category", "risk", "owner", "requester", "services",
              "planned_start", "planned_end", "created_at"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def columns(query: QueryDict) -> list[dict]:
    """Each header: its label, the link that sorts by it (ascending, or descending when it already sorts
    ascending), and `aria_sort` for the one the list is sorted by."""
    current = query.get("sort", "")
    headers = []
    for label, key in COLUMNS:
        if key is None or key not in SORT_KEYS:
            headers.append({"label": label})
            continue
        ascending, descending = current == key, current == f"-{key}"
        params = query.copy()
        params.pop("page", None)
        params["sort"] = f"-{key}" if ascending else key
        headers.append({"label": label, "url": f"?{params.urlencode()}", "key": key,
                        "aria_sort": "ascending" if ascending else "descending" if descending else "",
                        "arrow": "▲" if ascending else "▼" if descending else ""})
    return headers


@cache
def bulk_fields() -> dict[str, SafeString]:
    """The bulk form's fields as HTML. The list always shows the form empty, so its widgets (a select,
    a textarea, two inputs: fourteen widget templates, a fifth of the list's rendering) come out the
    same for everyone: rendered once per process."""
    form = BulkForm(auto_id="id_bulk_%s")
    return {name: SafeString(form[name]) for name in ("action", "reason", "planned_start", "planned_end")}


def _checkboxes(name: str, choices, selected: list[str]) -> str:
    return "".join(f'\n          <li><label><input type="checkbox" name="{name}" value="{escape(str(value))}" '
                   f'{"checked" if value in selected else ""}> {escape(str(label))}</label></li>'
                   for value, label in choices)


def _options(pairs, current) -> str:
    current = str(current)  # the template compared `value|stringformat:"s"`: None is "None"
    options = "".join(f'<option value="{escape(str(value))}" {"selected" if current == str(value) else ""}>'
                      f'{escape(str(label))}</option>' for value, label in pairs)
    return f"\n        {options}\n        "


def filter_form(filterset, selected: dict, owners, services) -> dict:
    """The filter form as the page shows it: `filter_values` (what the request gave for the search,
    the dates, owner and service, None when missing, as the form's bound fields read), `filter_errors`,
    and `filter_options`, the checkboxes (state, type, risk) and options (owner, service) marked as the
    request asks, as HTML: seventy-odd template loop turns with a tag each were a fifth of the list's
    time. `filterset` is None when the request names no filter (nothing given, nothing wrong).
    `owners` and `services` are (pk, label) pairs (changes.lists.selectors.page_choices)."""
    fields = ChangeFilter.form_class().base_fields if filterset is None else filterset.form.fields
    values = {name: None if filterset is None else filterset.form[name].value()
              for name in ("q", "planned_after", "planned_before", "owner", "service")}
    html = {name: _checkboxes(name, fields[name].choices, selected[name])
            for name in ("state", "change_type", "risk_level")}
    html["owner"] = _options(owners, values["owner"])
    html["service"] = _options(services, values["service"])
    return {"filter_values": values, "filter_errors": {} if filterset is None else filterset.errors,
            "filter_options": {name: SafeString(text) for name, text in html.items()}}


def extras(request) -> dict:
    """The change list page's parts from this package: headers and bulk actions."""
    selectable = rules.can_write(request.user)
    return {"columns": columns(request.GET), "selectable": selectable,
            "bulk_fields": bulk_fields() if selectable else {}}


def _cell(value) -> str:
    """A spreadsheet never runs a cell as a formula (CSV injection): such text is prefixed with '."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _moment(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _person(user) -> str:
    return user.username if user is not None else ""


def csv_row(change) -> list[str]:
    return [_cell(value) for value in (
        change.reference, change.title, change.get_state_display(), change.get_change_type_display(),
        change.get_category_display(), change.get_risk_level_display() if change.risk_level else "",
        _person(change.owner), _person(change.requester), "; ".join(s.name for s in change.service_list),
        _moment(change.planned_start), _moment(change.planned_end), _moment(change.created_at))]


class _Echo:
    """csv.writer's file: hands each line back instead of keeping it."""

    def write(self, value):
        return value


def csv_lines(queryset):
    """The export's lines, header first: `export_chunks` of the filtered queryset, so rows are fetched
    500 at a time as the response streams."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for chunk in selectors.export_chunks(queryset):
        for change in chunk:
            yield writer.writerow(csv_row(change))


def csv_disposition() -> str:
    return f'attachment; filename="changes-{timezone.localtime():%Y%m%d-%H%M}.csv"'
