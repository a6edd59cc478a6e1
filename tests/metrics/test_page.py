"""The metrics page and its CSV: the numbers against their targets, tables beside the charts (the page works
without JavaScript), Chart.js from our own static files, filters, role access and constant queries."""
import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changemgmt.models import Team
from changes.models import ChangeRequest, Service
from tests.metrics.conftest import period_key


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def test_the_page_shows_each_measure_against_its_target(admin_client, month):
    page = admin_client.get("/metrics/", {"period": period_key()})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Change success rate" in html and "60.0 %" in html and "&gt; 95 %" in html
    assert 'badge-red">missed' in html and 'badge-green">met' in html
    for table in ("measures", "dora", "by-risk", "volume", "calibration", "scores", "by-team", "by-service"):
        assert f'<table id="{table}">' in html
    assert "Payments</strong>: 33.3 %" in html  # the flagged team
    assert "does not predict outcomes" in html
    assert "24-hour review follow-up was answered &quot;issues found&quot;" in html


def test_the_charts_read_json_script_data_and_our_static_chart_js(admin_client, month):
    html = admin_client.get("/metrics/", {"period": period_key()}).content.decode()
    data = json.loads(html.split('<script id="metrics-data" type="application/json">')[1].split("</script>")[0])
    assert data["rates"]["values"][0] == 60.0 and data["calibration"]["failure"] == [33.3, 100.0, 0.0]
    assert '/static/vendor/chartjs/chart.umd.min.js' in html and "/static/js/metrics.js" in html
    assert finders.find("vendor/chartjs/chart.umd.min.js") and finders.find("js/metrics.js")


def test_the_page_defaults_to_this_month(admin_client, month):
    page = admin_client.get("/metrics/")
    assert page.status_code == 200 and page.context["report"].period.key == period_key()


def test_filters_apply_on_the_page(admin_client, month):
    team = Team.objects.get(name="Search")
    report = admin_client.get("/metrics/", {"period": period_key(), "team": team.pk}).context["report"]
    assert [row["team"] for row in report.by_team] == ["Search"]


@pytest.mark.parametrize("query, field", [({"period": "2026-13"}, "period"), ({"risk": "huge"}, "risk"),
                                          ({"team": "999999"}, "team"), ({"type": "x"}, "type")])
def test_a_bad_filter_is_a_400_naming_the_field(admin_client, month, query, field):
    page = admin_client.get("/metrics/", query)
    assert page.status_code == 400 and field in page.context["form"].errors
    download = admin_client.get("/metrics/metrics.csv", query)
    assert download.status_code == 400 and field in download.json()["errors"]


def test_the_csv_holds_the_numbers_of_the_page(admin_client, month):
    response = admin_client.get("/metrics/metrics.csv", {"period": period_key()})
    assert response["Content-Disposition"] == f'attachment; filename="metrics-{period_key()}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_name = {(row[0], row[1]): row for row in rows if len(row) > 2}
    assert by_name[("measure", "Change success rate")][2:6] == ["60", "%", "> 95 %", "missed"]
    assert by_name[("measure", "Mean time to recover")][5] == "met"
    assert by_name[("dora", "Change failure rate (pipeline rollouts)")][2] == "50"
    assert by_name[("risk", "Low")][-1] == "yes"  # flagged band
    assert by_name[("success score", "Payments")][2] == "50"
    assert by_name[("flagged team", "Payments")][2] == "33.3"


@pytest.mark.parametrize("who", ["admin", "auditor", "manager"])
def test_readers_see_the_page_and_the_header_link(client, month, people, who):
    client.force_login(people[who])
    html = client.get("/metrics/").content.decode()
    assert 'href="/metrics/"' in html


def test_others_get_403_and_no_link(client, month, people):
    client.force_login(people["outsider"])
    assert client.get("/metrics/").status_code == 403
    assert client.get("/metrics/metrics.csv").status_code == 403
    assert 'href="/metrics/"' not in client.get("/").content.decode()


def test_anonymous_is_sent_to_login(client, db):
    assert client.get("/metrics/").status_code == 302


def _more_changes(month, count: int) -> None:
    start = month["start"]
    teams = [Team.objects.create(name=f"Team {i}") for i in range(5)]
    services = [Service.objects.create(name=f"svc-{i}") for i in range(5)]
    requester = month["changes"][0].requester
    rows = ChangeRequest.objects.bulk_create([
        ChangeRequest(title="more", requester=requester, team=teams[i % 5], change_type=["normal", "emergency"][i % 2],
                      risk_level=["low", "medium", "high", "critical"][i % 4], state="closed",
                      outcome=["successful", "failed", "rolled_back"][i % 3], submitted_at=start + timedelta(days=1),
                      deployed_at=start + timedelta(days=2 + i % 10))
        for i in range(count)])
    through = ChangeRequest.services.through
    through.objects.bulk_create([through(changerequest_id=row.pk, service_id=services[i % 5].pk)
                                 for i, row in enumerate(rows)])


def test_the_page_and_csv_cost_the_same_queries_at_two_sizes(admin_client, month):
    def count(url):
        admin_client.get(url, {"period": period_key()})  # warm: session, policy
        cache.clear()  # the computation, not a cached report
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url, {"period": period_key()})
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        return len(queries)

    small = (count("/metrics/"), count("/metrics/metrics.csv"), count("/api/metrics/"))
    _more_changes(month, 60)
    assert (count("/metrics/"), count("/metrics/metrics.csv"), count("/api/metrics/")) == small
    assert small[0] <= 15


def test_a_report_is_kept_for_the_policys_minutes_and_a_target_edit_is_seen_at_once(admin_client, month, people):
    from changemgmt import policy, policy_services

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get("/metrics/", {"period": period_key()})
        return len(captured), response.context["report"]

    admin_client.get("/metrics/", {"period": period_key()})
    cache.clear()
    cold, _ = queries()
    warm, _ = queries()
    assert warm < cold - 5  # the report's aggregate queries are not run again
    targets = {**policy.get("metrics_targets"), "success_rate_min_percent": 50}
    policy_services.update_setting(key="metrics_targets", value=targets, actor=people["admin"])
    _, report = queries()
    assert report.measures[0].status == "met"  # 60 % > 50 %: a new policy value is a new report
    policy_services.update_setting(key="metrics_freshness", value={"cache_minutes": 0}, actor=people["admin"])
    admin_client.get("/metrics/", {"period": period_key()})
    assert queries()[0] > warm + 5  # computed on every request


@pytest.mark.django_db
@pytest.mark.parametrize("table, column, name", [
    ("changes_changerequest", "deployed_at", "change_deployed_at"),
    ("changes_rollbackrecord", "completed_at", "rollback_completed_at"),
    ("approvals_approvalslot", "decided_at", "slot_decided_at"),
])
def test_the_period_queries_have_their_indexes(table, column, name):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    assert constraints[name]["index"] and constraints[name]["columns"] == [column]
