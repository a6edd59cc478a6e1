"""What the change list shows beyond its rows: sortable column headers, and the CSV export (its cells,
its lines and its file name), shared by the page's export and the API's."""
import csv

from django.http import QueryDict
from django.utils import timezone

from changes import rules
from changes.filters import SORT_KEYS
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


def extras(request) -> dict:
    """The change list page's parts from this package: headers, the person's saved filters, bulk actions."""
    return {"columns": columns(request.GET), "saved_filters": selectors.saved_filters(request.user),
            "selectable": rules.can_write(request.user), "bulk_form": BulkForm(auto_id="id_bulk_%s")}


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
