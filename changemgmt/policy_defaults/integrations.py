"""The default policy pack's keys of the integrations and the measures (issues 10-12): the pipeline's
rollout, webhooks, approving from e-mail, attachments, the post-implementation review's follow-ups and the
metrics.

Each entry: key -> (value, reference, description).
"""

INTEGRATIONS: dict[str, tuple[object, str, str]] = {}

# Deployment reports (issue 10 §3): the stages of a progressive rollout and the health budgets that hold
# or roll it back.
INTEGRATIONS.update({
    "pipeline_rollout_stages": (
        [1, 5, 20, 100],
        "POLICY §10 [004 §4.5]",
        "Percentages of traffic a pipeline rolls a change out to, in order; the last is 100.",
    ),
    "pipeline_health_budgets": (
        {"error_rate_percent": {"warning": 1, "critical": 5},
         "p95_latency_ms": {"warning": 2000, "critical": 5000},
         "alert_count": {"warning": 0, "critical": 5}},
        "POLICY §10 [004 §4.6]",
        "A stage's health above a `warning` value holds the rollout (report the stage again); above a "
        "`critical` value the change is rolled back automatically.",
    ),
})

# Webhooks (issue 10 §6): when a receiver that keeps failing stops being called.
INTEGRATIONS.update({
    "webhooks": (
        {"disable_after_days": 5},
        "POLICY §10 [000]",
        "A webhook subscription whose deliveries have failed without a single success for this many days is "
        "disabled automatically (an administrator enables it again once the receiver is fixed).",
    ),
})

# Approve from e-mail (issue 10 §7): how long the grant/reject links of an approval-request mail work, and how
# recent a login must be to decide through one (when the APPROVAL_EMAIL_LINK_FRESH_LOGIN setting asks for it).
INTEGRATIONS.update({
    "approval_email_links": (
        {"expiry_hours": 72, "fresh_login_minutes": 15},
        "POLICY §3 [000]",
        "The grant and reject links of an approval-request mail work once, for `expiry_hours` after the mail "
        "was sent; deciding through one needs a login at most `fresh_login_minutes` old (or the password again) "
        "when the APPROVAL_EMAIL_LINK_FRESH_LOGIN setting is on.",
    ),
})

# Attachments on a change (issue 12 §4): how large a file may be and which kinds are kept. A type is
# known by its extension; the content type stored and served is the one listed here, never the browser's.
INTEGRATIONS.update({
    "attachments": (
        {"max_size_mb": 10,
         "types": [{"extension": ext, "content_type": kind} for ext, kind in (
             (".pdf", "application/pdf"), (".txt", "text/plain"), (".md", "text/markdown"), (".log", "text/plain"),
             (".csv", "text/csv"), (".json", "application/json"), (".yaml", "application/yaml"),
             (".yml", "application/yaml"), (".png", "image/png"), (".jpg", "image/jpeg"), (".jpeg", "image/jpeg"),
             (".zip", "application/zip"))]},
        "POLICY §4 evidence [000]",
        "Files attached to a change (evidence, runbooks): at most `max_size_mb` megabytes each, and only the "
        "extensions listed in `types`, each with the content type it is stored and downloaded as.",
    ),
})

# Post-implementation review follow-ups (issue 11 §7): when each falls due after deployment.
INTEGRATIONS.update({
    "pir_follow_up_hours": (
        {"day": 24, "week": 168},
        "POLICY §4 close [001]",
        "Hours after deployment when the post-implementation review's follow-ups fall due (`day`: the 24-hour "
        "follow-up, whose answer counts toward \"issues within 24 h\"; `week`: the 1-week follow-up). The owner "
        "and requester are reminded when one falls due unanswered.",
    ),
})

# Metrics (issue 11 §5-§6): POLICY §9's targets, the change success score per team and the risk calibration.
INTEGRATIONS.update({
    "metrics_targets": (
        {"success_rate_min_percent": 95, "failure_rate_max_percent": 5, "rollback_rate_max_percent": 3,
         "pir_issues_max_percent": 5, "mttr_max_minutes": 60, "review_completion_max_hours": 24,
         "deployments_per_week_min": 1, "dora_lead_time_max_hours": 168},
        "POLICY §9 [002 §11][004 §9]",
        "Targets of the metrics page and the monthly report: change success rate above, failure, rollback and "
        "post-implementation-issue rates below these percentages; mean time to recovery and review completion "
        "below these durations (the emergency rate's target is `emergency_rate_target_percent`). The DORA "
        "deployment frequency (per week, at least) and lead time for changes (hours, at most) are our defaults; "
        "the DORA change failure rate and time to restore share the failure-rate and recovery targets.",
    ),
    "metrics_issues_24h": (
        {"hours": 24, "review_item": "no_unexpected_impact"},
        "POLICY §9 [004 §9]",
        "A deployed change had a post-implementation issue when its 24-hour review follow-up was answered "
        "\"issues found\", it was rolled back within `hours` of its deployment, or its close review left "
        "`review_item` (a `review_items` code) unticked; each change counts once.",
    ),
    "change_success_score": (
        {"window_days": 90, "min_completed": 5},
        "POLICY §9",
        "A team's change success score: its successful changes as a share of its changes with an outcome "
        "(successful, failed, rolled back) deployed in the last `window_days` days up to the period's end; "
        "below `min_completed` such changes the team has no score yet.",
    ),
    "metrics_freshness": (
        {"cache_minutes": 5},
        "POLICY §9",
        "The metrics page, its CSV and the API may show numbers up to this many minutes old (computed once per "
        "period and filters in that time, so a year of changes answers fast); 0 computes them on every request. "
        "The monthly report is always computed afresh.",
    ),
    "risk_calibration": (
        {"tolerated_failure_percent": {"low": 5, "medium": 10, "high": 15, "critical": 20}, "min_changes": 10},
        "POLICY §2, §9",
        "Risk calibration: the share of changes of a risk band that failed or were rolled back above its "
        "tolerated percentage flags the band; a team whose low-risk changes fail above the low tolerance is "
        "flagged too. Fewer than `min_changes` changes with an outcome flag nothing.",
    ),
})
