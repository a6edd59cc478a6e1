"""The metrics report from the selectors' grouped rows: each measure with its value and its policy target
(met or missed), the breakdowns by risk, type, team and service, the DORA measures, the change success
score per team and the risk calibration. Pure arithmetic over a handful of rows; no query here besides
the selectors' and the policy's."""
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.core.cache import cache

from changemgmt import policy
from changes.choices import ChangeType, RiskLevel
from metrics import selectors
from metrics.selectors import Period, Scope

RISKS = [*RiskLevel.values, ""]  # "" is a change not scored yet
RISK_LABELS = {**dict(RiskLevel.choices), "": "Not scored"}
TYPE_LABELS = dict(ChangeType.choices)
COUNTS = ("filed", "deployed", "successful", "failed", "rolled_back", "issues", "lead_count",
          "window_successful", "window_finished")


@dataclass
class Measure:
    """One number against its target. `met` is None when there is no target or nothing to measure."""

    code: str
    label: str
    value: float | None
    unit: str
    target: float | None = None
    # "above": the value must exceed the target; "at_least": reach it; "below": stay under it.
    comparison: str = ""
    numerator: int | None = None
    denominator: int | None = None

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        if self.comparison == "above":
            return self.value > self.target
        return self.value >= self.target if self.comparison == "at_least" else self.value < self.target

    @property
    def status(self) -> str:
        return {True: "met", False: "missed", None: "no data" if self.value is None else "no target"}[self.met]

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "none in POLICY §9"
        sign = {"above": ">", "at_least": "≥"}.get(self.comparison, "<")
        return f"{sign} {self.target:g} {self.unit}".strip()


@dataclass
class Report:
    period: Period
    scope: Scope
    measures: list[Measure]
    by_risk: list[dict]
    by_type: list[dict]
    volume: list[dict]
    by_team: list[dict]
    by_service: list[dict]
    dora: list[Measure] | None
    scores: list[dict]
    calibration: list[dict]
    flagged_teams: list[dict]
    predicts: bool | None
    notes: list[str] = field(default_factory=list)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _hours(total: timedelta | None, count: int) -> float | None:
    return round(total.total_seconds() / 3600 / count, 1) if count and total is not None else None


def _minutes(total: timedelta | None, count: int) -> float | None:
    return round(total.total_seconds() / 60 / count, 1) if count and total is not None else None


def _add(into: dict, row: dict) -> None:
    for key in COUNTS:
        into[key] = into.get(key, 0) + row.get(key, 0)
    if row.get("lead_total") is not None:
        into["lead_total"] = into.get("lead_total", timedelta()) + row["lead_total"]


def _rates(counts: dict) -> dict:
    finished = counts.get("successful", 0) + counts.get("failed", 0) + counts.get("rolled_back", 0)
    return {**{key: counts.get(key, 0) for key in COUNTS}, "finished": finished,
            "success_rate": _percent(counts.get("successful", 0), finished),
            "failure_rate": _percent(counts.get("failed", 0) + counts.get("rolled_back", 0), finished),
            "rollback_rate": _percent(counts.get("rolled_back", 0), finished),
            "issues_rate": _percent(counts.get("issues", 0), finished),
            "lead_time_hours": _hours(counts.get("lead_total"), counts.get("lead_count", 0))}


def _group(rows: list[dict], key) -> dict:
    groups: dict = {}
    for row in rows:
        _add(groups.setdefault(key(row), {}), row)
    return groups


def _timed(rows: list[dict]) -> tuple[int, timedelta | None]:
    count = sum(row["count"] for row in rows)
    totals = [row["total"] for row in rows if row["total"] is not None]
    return count, sum(totals, timedelta()) if totals else None


POLICY_KEYS = ("metrics_targets", "metrics_issues_24h", "change_success_score", "risk_calibration",
               "emergency_rate_target_percent", "pipeline_rollout_stages", "metrics_freshness")


def cached_build(period: Period, scope: Scope) -> Report:
    """`build`, kept `metrics_freshness.cache_minutes` in the cache per period, filters and policy values (an
    edit of the targets is seen at once). A rolling period keeps the window it had when computed."""
    minutes = policy.get("metrics_freshness")["cache_minutes"]
    if not minutes:
        return build(period, scope)
    values = json.dumps([policy.get(key) for key in POLICY_KEYS], sort_keys=True)
    digest = hashlib.sha256(f"{period.key}|{asdict(scope)}|{values}".encode()).hexdigest()
    key = f"metrics:report:{digest}"
    report = cache.get(key)
    if report is None:
        report = build(period, scope)
        cache.set(key, report, timeout=minutes * 60)
    return report


def build(period: Period, scope: Scope) -> Report:
    targets = policy.get("metrics_targets")
    issues = policy.get("metrics_issues_24h")
    score_policy = policy.get("change_success_score")
    calibration_policy = policy.get("risk_calibration")
    emergency_target = policy.get("emergency_rate_target_percent")["target"]
    stages = policy.get("pipeline_rollout_stages")

    rows = selectors.change_rows(period, scope, window_days=score_policy["window_days"],
                                 issue_item=issues["review_item"])
    _add_issues(rows, selectors.follow_up_issue_rows(period, scope, issue_item=issues["review_item"],
                                                     issue_hours=issues["hours"]))
    total = _rates(_group(rows, lambda row: 0).get(0, {}))
    by_type_counts = _group(rows, lambda row: row["change_type"])
    by_risk_counts = _group(rows, lambda row: row["risk_level"])
    by_team_counts = _group(rows, lambda row: (row["team_id"], row["team__name"] or "No team"))
    low_by_team = _group([row for row in rows if row["risk_level"] == RiskLevel.LOW],
                         lambda row: (row["team_id"], row["team__name"] or "No team"))
    recoveries = selectors.recovery_rows(period, scope)
    reviews = selectors.review_rows(period, scope)
    recovery_count, recovery_total = _timed(recoveries)
    review_count, review_total = _timed(reviews)
    emergency = by_type_counts.get(ChangeType.EMERGENCY, {}).get("filed", 0)

    measures = [
        Measure("success_rate", "Change success rate", total["success_rate"], "%", targets["success_rate_min_percent"],
                "above", total["successful"], total["finished"]),
        Measure("failure_rate", "Change failure rate", total["failure_rate"], "%", targets["failure_rate_max_percent"],
                "below", total["failed"] + total["rolled_back"], total["finished"]),
        Measure("emergency_rate", "Emergency change rate", _percent(emergency, total["filed"]), "%", emergency_target,
                "below", emergency, total["filed"]),
        Measure("rollback_rate", "Rollback rate", total["rollback_rate"], "%", targets["rollback_rate_max_percent"],
                "below", total["rolled_back"], total["finished"]),
        Measure("issues_24h", f"Post-implementation issues within {issues['hours']} h", total["issues_rate"], "%",
                targets["pir_issues_max_percent"], "below", total["issues"], total["finished"]),
        Measure("mttr", "Mean time to recover", _minutes(recovery_total, recovery_count), "min",
                targets["mttr_max_minutes"], "below", None, recovery_count),
        Measure("review_completion", "Review completion time (mean)", _hours(review_total, review_count), "h",
                targets["review_completion_max_hours"], "below", None, review_count),
        Measure("lead_time", "Lead time, submission to deployment (mean)", total["lead_time_hours"], "h",
                None, "", None, total["lead_count"]),
    ]
    recovery_by_risk = {row["change__risk_level"]: row for row in recoveries}
    review_by_risk = {row["change__risk_level"]: row for row in reviews}
    by_risk = []
    for risk in RISKS:
        counts = _rates(by_risk_counts.get(risk, {}))
        recovery, review = recovery_by_risk.get(risk), review_by_risk.get(risk)
        if not (counts["filed"] or counts["deployed"] or recovery or review):
            continue
        tolerated = calibration_policy["tolerated_failure_percent"].get(risk)
        flagged = bool(tolerated is not None and counts["finished"] >= calibration_policy["min_changes"]
                       and counts["failure_rate"] > tolerated)
        by_risk.append({**counts, "risk": risk, "label": RISK_LABELS[risk], "tolerated_failure_percent": tolerated,
                        "flagged": flagged,
                        "mttr_minutes": _minutes(recovery["total"], recovery["count"]) if recovery else None,
                        "review_hours": _hours(review["total"], review["count"]) if review else None})
    by_type = [{**_rates(by_type_counts[kind]), "type": kind, "label": TYPE_LABELS[kind]}
               for kind in ChangeType.values if kind in by_type_counts]
    volume = [{"type": row["change_type"], "type_label": TYPE_LABELS.get(row["change_type"], row["change_type"]),
               "risk": row["risk_level"], "risk_label": RISK_LABELS.get(row["risk_level"], row["risk_level"]),
               "filed": row["filed"]}
              for row in sorted(rows, key=lambda r: (ChangeType.values.index(r["change_type"]),
                                                     RISKS.index(r["risk_level"])))
              if row["filed"]]
    volume = _merge_volume(volume)
    by_team = [{**_rates(counts), "team_id": team_id, "team": name, "name": name}
               for (team_id, name), counts in sorted(by_team_counts.items(), key=lambda item: item[0][1])]
    by_team = [row for row in by_team if row["filed"] or row["deployed"]]
    services = selectors.service_rows(period, scope)
    by_service = [{**_rates(row), "service_id": row["services__id"], "service": row["services__name"],
                   "name": row["services__name"]}
                  for row in services if row["filed"] or row["deployed"]]
    scores = _scores(by_team_counts, score_policy)
    low_tolerance = calibration_policy["tolerated_failure_percent"][RiskLevel.LOW]
    flagged_teams = []
    for (team_id, name), counts in sorted(low_by_team.items(), key=lambda item: item[0][1]):
        rates = _rates(counts)
        if rates["finished"] >= calibration_policy["min_changes"] and rates["failure_rate"] > low_tolerance:
            flagged_teams.append({"team_id": team_id, "team": name, "finished": rates["finished"],
                                  "failure_rate": rates["failure_rate"], "tolerated_failure_percent": low_tolerance})
    calibration = [{"risk": row["risk"], "label": row["label"], "finished": row["finished"],
                    "failure_rate": row["failure_rate"], "tolerated_failure_percent": row["tolerated_failure_percent"],
                    "flagged": row["flagged"]} for row in by_risk if row["risk"]]
    notes = [
        f"Post-implementation issues within {issues['hours']} h: a change with an outcome counts once when its "
        "24-hour review follow-up was answered \"issues found\", it was rolled back within "
        f"{issues['hours']} h of deployment, or its close review left '{issues['review_item']}' unticked.",
    ]
    return Report(period, scope, measures, by_risk, by_type, volume, by_team, by_service,
                  _dora(period, scope, stages, targets), scores, calibration, flagged_teams,
                  _predicts(calibration, calibration_policy["min_changes"]), notes)


def _add_issues(rows: list[dict], more: list[dict]) -> None:
    """Add each group's changes rolled back soon after deploying or reported by the 24-hour follow-up to the
    issues its close reviews reported (the selector counts no change twice)."""
    by_key = {(row["team_id"], row["change_type"], row["risk_level"]): row for row in rows}
    for row in more:
        key = (row["team_id"], row["change_type"], row["risk_level"])
        group = by_key[key]  # every such change was deployed in the period: its group exists
        group["issues"] = group.get("issues", 0) + row["issues"]


def _merge_volume(rows: list[dict]) -> list[dict]:
    """Rows of several teams share (type, risk): one row each."""
    merged: dict = {}
    for row in rows:
        key = (row["type"], row["risk"])
        if key in merged:
            merged[key]["filed"] += row["filed"]
        else:
            merged[key] = dict(row)
    return list(merged.values())


def _scores(by_team_counts: dict, score_policy: dict) -> list[dict]:
    scores = []
    for (team_id, name), counts in sorted(by_team_counts.items(), key=lambda item: item[0][1]):
        finished, successful = counts.get("window_finished", 0), counts.get("window_successful", 0)
        if not finished:
            continue
        enough = finished >= score_policy["min_completed"]
        scores.append({"team_id": team_id, "team": name, "successful": successful, "finished": finished,
                       "score": _percent(successful, finished) if enough else None,
                       "window_days": score_policy["window_days"]})
    return scores


def _predicts(calibration: list[dict], min_changes: int) -> bool | None:
    """The scorecard predicts outcomes when the failure share never falls as the risk band rises (bands with
    enough changes only); None with fewer than two such bands."""
    shares = [row["failure_rate"] for row in calibration if row["finished"] >= min_changes]
    if len(shares) < 2:
        return None
    return all(lower <= higher for lower, higher in zip(shares, shares[1:], strict=False))


def _dora(period: Period, scope: Scope, stages: list[int], targets: dict) -> list[Measure] | None:
    found = selectors.dora(period, scope, first_stage=stages[0], last_stage=stages[-1])
    if not found["deployments"] and not found["restores"]:
        return None
    weeks = period.days / 7
    return [
        Measure("deployment_frequency", "Deployment frequency", round(found["deployments"] / weeks, 2),
                "per week", targets["deployments_per_week_min"], "at_least", found["deployments"], None),
        Measure("lead_time_for_changes", "Lead time for changes (filing to 100 %)",
                _hours(found["lead_total"], found["lead_count"]), "h", targets["dora_lead_time_max_hours"], "below",
                None, found["lead_count"]),
        Measure("change_failure_rate", "Change failure rate (pipeline rollouts)",
                _percent(found["failed"], found["deployments"]), "%", targets["failure_rate_max_percent"], "below",
                found["failed"], found["deployments"]),
        Measure("time_to_restore", "Time to restore (first report to rollback done)",
                _minutes(found["restore_total"], found["restores"]), "min", targets["mttr_max_minutes"], "below",
                None, found["restores"]),
    ]


def chart_data(report: Report) -> dict:
    """What static/js/metrics.js draws, passed through json_script (the tables beside show the same)."""
    rates = [m for m in report.measures if m.unit == "%"]
    return {
        "rates": {"labels": [m.label for m in rates], "values": [m.value for m in rates],
                  "targets": [m.target for m in rates]},
        "lead_time": {"labels": [row["label"] for row in report.by_risk],
                      "lead": [row["lead_time_hours"] for row in report.by_risk],
                      "review": [row["review_hours"] for row in report.by_risk],
                      "mttr": [row["mttr_minutes"] for row in report.by_risk]},
        "volume": {"types": [TYPE_LABELS[kind] for kind in ChangeType.values],
                   "risks": [{"label": RISK_LABELS[risk],
                              "values": [sum(v["filed"] for v in report.volume if v["type"] == kind
                                             and v["risk"] == risk) for kind in ChangeType.values]}
                             for risk in RISKS]},
        "calibration": {"labels": [row["label"] for row in report.calibration],
                        "failure": [row["failure_rate"] for row in report.calibration],
                        "tolerated": [row["tolerated_failure_percent"] for row in report.calibration]},
        "scores": {"labels": [row["team"] for row in report.scores], "values": [row["score"] for row in report.scores],
                   "target": next(m.target for m in report.measures if m.code == "success_rate")},
    }


def _cell(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


BREAKDOWN = ("filed", "deployed", "finished", "successful", "failed", "rolled_back", "success_rate", "failure_rate",
             "rollback_rate", "issues_rate", "lead_time_hours")


def csv_rows(report: Report):
    """The page's numbers as CSV rows: the measures against their targets, then each breakdown."""
    yield ["section", "name", "value", "unit", "target", "status", "count", "out of"]
    yield ["period", report.period.label, report.period.key, "", "", "", "", ""]
    for section, measures in (("measure", report.measures), ("dora", report.dora or [])):
        for m in measures:
            yield [section, m.label, _cell(m.value), m.unit, m.target_text, m.status, _cell(m.numerator),
                   _cell(m.denominator)]
    yield []
    yield ["breakdown", "name", *BREAKDOWN, "mttr_minutes", "review_hours", "tolerated_failure_percent", "flagged"]
    for section, rows, name in (("risk", report.by_risk, "label"), ("type", report.by_type, "label"),
                                ("team", report.by_team, "team"), ("service", report.by_service, "service")):
        for row in rows:
            yield [section, row[name], *(_cell(row.get(key)) for key in BREAKDOWN),
                   *(_cell(row.get(key)) for key in ("mttr_minutes", "review_hours", "tolerated_failure_percent")),
                   "yes" if row.get("flagged") else ""]
    yield []
    yield ["volume", "type", "risk", "filed"]
    for row in report.volume:
        yield ["volume", row["type_label"], row["risk_label"], row["filed"]]
    yield []
    yield ["success score", "team", "score %", "successful", "with an outcome", "window days"]
    for row in report.scores:
        yield ["success score", row["team"], _cell(row["score"]), row["successful"], row["finished"],
               row["window_days"]]
    for row in report.flagged_teams:
        yield ["flagged team", row["team"], _cell(row["failure_rate"]), "low-risk failure %",
               row["finished"], _cell(row["tolerated_failure_percent"])]


def summary_text(report: Report) -> str:
    """The monthly mail's body: every measure against its target, the flags and the notes."""
    lines = [f"Change metrics for {report.period.label}:", ""]
    for m in [*report.measures, *(report.dora or [])]:
        value = "no data" if m.value is None else f"{m.value:g} {m.unit}"
        lines.append(f"- {m.label}: {value} (target {m.target_text}: {m.status})")
    if report.dora is None:
        lines.append("- DORA measures: no deployment reports in this period")
    for row in report.calibration:
        if row["flagged"]:
            lines.append(f"! {row['label']} risk: {row['failure_rate']:g} % failed or rolled back "
                         f"(tolerated {row['tolerated_failure_percent']:g} %)")
    for row in report.flagged_teams:
        lines.append(f"! {row['team']}: low-risk changes {row['failure_rate']:g} % failed or rolled back "
                     f"(tolerated {row['tolerated_failure_percent']:g} %)")
    return "\n".join([*lines, "", *report.notes])
