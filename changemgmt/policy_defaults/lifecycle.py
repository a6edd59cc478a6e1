"""The default policy pack's keys of the change's life cycle (issues 1-9): risk, approvals, gates, windows,
rollback, retention, business time, the calendar's freezes, the CAB and emergency authorization.

Each entry: key -> (value, reference, description).
"""

RISK_LEVELS = ["low", "medium", "high", "critical"]

LIFECYCLE: dict[str, tuple[object, str, str]] = {
    "lead_time_hours": (
        {
            "standard": {"low": 0, "medium": 0, "high": 0, "critical": 0},
            "normal": {"low": 24, "medium": 24, "high": 168, "critical": 168},
            "emergency": {"low": 0, "medium": 0, "high": 0, "critical": 0},
        },
        "POLICY §1 [002][004]",
        "Minimum hours from submission to planned start, by change type and risk level.",
    ),
    "risk_bands": (
        [
            {"level": "low", "min": 5, "max": 7},
            {"level": "medium", "min": 8, "max": 11},
            {"level": "high", "min": 12, "max": 15},
        ],
        "POLICY §2 [002 §3.3]",
        "Risk level by scorecard total.",
    ),
    "risk_critical_factors": (
        {"data_risk": 3, "security_impact": 3},
        "POLICY §2 [002 §3.3]",
        "A high total is raised to critical when any of these factors reaches the given score.",
    ),
    "approval_matrix": (
        {
            "low": ["peer"],
            "medium": ["peer", "manager"],
            "high": ["peer", "manager", "security", "cab"],
            "critical": ["peer", "manager", "security", "cab", "cto"],
        },
        "POLICY §3 [002 §4.3-4.4]",
        "Approval slots required by risk level.",
    ),
    "category_reviewers": (
        {
            "security": {"count": 2, "including": "security"},
            "database": {"count": 2, "including": "dba"},
            "infrastructure": {"count": 2, "including": "operations"},
            "application": {"count": 2, "including": "peer"},
        },
        "POLICY §3 [002 §4.3]",
        "Reviewer count by category, and the role one of them must hold; the rest are peers.",
    ),
    "security_triggers": (
        [
            {"code": "authn_authz", "label": "Authentication or authorization"},
            {"code": "crypto", "label": "Cryptography or key management"},
            {"code": "network", "label": "Network security"},
            {"code": "third_party", "label": "New external or third-party integration"},
            {"code": "data_privacy", "label": "Data handling or privacy"},
            {"code": "privileges", "label": "Privileges or access"},
            {"code": "api_endpoints", "label": "API endpoint changes"},
            {"code": "user_input_queries", "label": "Database queries with user input"},
            {"code": "dependencies", "label": "Dependency additions"},
            {"code": "security_infra", "label": "Infrastructure touching security controls"},
        ],
        "POLICY §3 [002 §5]",
        "Ticking any of these requires a security review whatever the risk.",
    ),
    "sla_business_days": (
        {"low": 1, "medium": 2, "high": 3, "critical": 5},
        "POLICY §3 [002 §4.4]",
        "Business days allowed for review and again for approval, by risk level.",
    ),
    "sla_reminder_percents": (
        [50, 100],
        "POLICY §3",
        "Reminders to the approver at these percentages of the SLA.",
    ),
    "test_requirements": (
        {
            "low": ["unit"],
            "medium": ["unit", "integration", "staging"],
            "high": ["unit", "integration", "staging", "uat"],
            "critical": ["unit", "integration", "staging", "uat", "performance"],
        },
        "POLICY §4 test [002 §8.1]",
        "Test types whose passing evidence the test gate requires, by risk level.",
    ),
    "test_recommendations": (
        {"low": ["integration"], "medium": [], "high": ["performance"], "critical": []},
        "POLICY §4 test [002 §8.1]",
        "Test types recommended (shown, not required), by risk level.",
    ),
    "predeploy_checklist": (
        [
            {"code": "approvals_obtained", "label": "All approvals obtained"},
            {"code": "testing_documented", "label": "Testing completed and documented"},
            {"code": "rollback_verified", "label": "Rollback plan verified"},
            {"code": "dashboards_ready", "label": "Monitoring dashboards ready"},
            {"code": "stakeholders_told", "label": "Stakeholders notified"},
            {"code": "oncall_told", "label": "On-call team informed"},
            {"code": "backup_verified", "label": "Backup verified (where applicable)"},
        ],
        "POLICY §4 deploy [002 §9.3]",
        "Items the deployer confirms before the deploy gate opens.",
    ),
    "deployment_methods": (
        [
            {"code": "blue_green", "label": "Blue/green"},
            {"code": "canary", "label": "Canary"},
            {"code": "rolling", "label": "Rolling"},
            {"code": "feature_flag", "label": "Feature flag"},
        ],
        "POLICY §4 deploy [002 §9.4]",
        "Deployment methods a change may record.",
    ),
    "deployment_windows": (
        {
            "mon": [{"start": "06:00", "end": "10:00", "risks": ["low", "medium"]}],
            "tue": [{"start": "06:00", "end": "10:00", "risks": ["low", "medium", "high", "critical"]}],
            "wed": [{"start": "06:00", "end": "10:00", "risks": ["low", "medium", "high", "critical"]}],
            "thu": [{"start": "06:00", "end": "10:00", "risks": ["low", "medium"]}],
            "fri": [],
            "sat": [],
            "sun": [],
        },
        "POLICY §6 [002 §9.1-9.2][004 §4.5]",
        "Deployment windows per weekday in the organisation's time zone; a day without windows is "
        "emergency-only.",
    ),
    "verification_checks": (
        [
            {"code": "health_checks", "label": "Health checks passing"},
            {"code": "error_rates", "label": "Error rates normal"},
            {"code": "response_times", "label": "Response times acceptable"},
            {"code": "business_flows", "label": "Key business flows work"},
            {"code": "monitoring_alerts", "label": "No monitoring alerts"},
        ],
        "POLICY §4 verify [002 §8.4]",
        "Production validation the verify gate requires.",
    ),
    "monitoring_minutes": (
        {"low": 30, "medium": 120, "high": 1440, "critical": 1440},
        "POLICY §4 verify [004 §4.6]",
        "Minimum monitoring period after deployment, by risk level.",
    ),
    "review_items": (
        [
            {"code": "objectives_achieved", "label": "Objectives achieved"},
            {"code": "no_unexpected_impact", "label": "No unexpected impact"},
            {"code": "performance_acceptable", "label": "Performance acceptable"},
            {"code": "security_maintained", "label": "Security maintained"},
            {"code": "documentation_complete", "label": "Documentation complete"},
        ],
        "POLICY §4 close [001]",
        "Post-implementation review questions answered at close.",
    ),
    "emergency_criteria": (
        [
            {"code": "production_down", "label": "Production down or severely degraded"},
            {"code": "security_exploited", "label": "Security vulnerability being exploited"},
            {"code": "data_loss", "label": "Data loss or corruption occurring"},
            {"code": "compliance_risk", "label": "Regulatory/legal compliance at immediate risk"},
        ],
        "POLICY §7 [002 §6]",
        "An emergency change must name one of these.",
    ),
    "rollback_decision": (
        {
            "critical": {"who": "on-call engineer", "minutes": 15},
            "high": {"who": "team lead", "minutes": 30},
            "medium": {"who": "change owner", "minutes": 60},
            "low": {"who": "change owner", "minutes": 240},
        },
        "POLICY §8 [002 §10]",
        "Who decides a rollback and how fast, by severity.",
    ),
    "rollback_triggers": (
        [
            {"code": "critical_function_broken", "label": "Critical function broken"},
            {"code": "error_rate_rise", "label": "Error-rate rise"},
            {"code": "performance_degradation", "label": "Performance degradation > 50 %"},
            {"code": "security_vulnerability", "label": "Security vulnerability introduced"},
            {"code": "data_integrity", "label": "Data integrity issue"},
        ],
        "POLICY §8 [002 §10]",
        "Reasons a change is rolled back.",
    ),
    "retention_years": (
        {"changes": 3, "approvals": 3, "rollbacks": 3, "cab_minutes": 3, "test_results": 1, "deployment_logs": 1},
        "POLICY §9 [002 §11]",
        "Years each record kind is kept; the ledger is never purged.",
    ),
}

# Business time, SLA timers, notifications and emergency paperwork (issue 6).
LIFECYCLE.update({
    "business_calendar": (
        {"country": "US", "subdivision": "", "extra_closed_days": [],
         "business_hours": {"start": "09:00", "end": "17:00"}},
        "POLICY §3, §7 [002 §4.4, §6.3]",
        "Business days are Mon-Fri in the organisation's time zone, minus the public holidays of this country "
        "(and subdivision, e.g. a US state code) and the extra closed days (YYYY-MM-DD). Business hours decide "
        "who authorizes an emergency change.",
    ),
    "sla_escalation_percents": (
        {"manager": 100, "cab_chair": 200},
        "POLICY §3 [002 §4.4]",
        "When an approval is this far through its SLA it escalates: first to the managers of the approvers, "
        "then to the CAB chair (200 = one further SLA period after the breach).",
    ),
    "emergency_paperwork_hours": (
        24,
        "POLICY §7 [002 §6]",
        "Hours after an emergency deployment by which documentation, post-hoc approval and root-cause "
        "analysis must be complete.",
    ),
    "emergency_reminder_hours": (
        [12, 20],
        "POLICY §7",
        "Reminders to the emergency change's owner this many hours after deployment, before the deadline.",
    ),
    "emergency_rate_target_percent": (
        {"target": 5, "tolerated": 10, "period_days": 30},
        "POLICY §7, §9 [002][004]",
        "Emergency changes as a share of all changes filed in the last `period_days` days (the monthly metric): "
        "the target, and the tolerated ceiling.",
    ),
})

# The change calendar: recurring freezes and the next-available-slot search (issue 5).
LIFECYCLE.update({
    "freeze_rules": (
        {
            "end_of_month": {"enabled": True, "days": 1, "kind": "soft"},
            "end_of_quarter": {"enabled": True, "days": 3, "kind": "hard"},
            "public_holidays": {"enabled": True, "country": "US", "subdivision": "", "kind": "hard"},
        },
        "POLICY §6 [002 §9.2][004 §4.5]",
        "Recurring freezes, each covering whole local days: the last `days` calendar days of every month and of "
        "every quarter, and the public holidays of `country` (ISO code, `holidays` package); kind hard or soft.",
    ),
    "slot_search": (
        {"step_minutes": 30, "horizon_days": 90, "default_count": 5},
        "POLICY §6",
        "Next available slots: a candidate start every `step_minutes` inside each window, searched up to "
        "`horizon_days` ahead; how many slots are offered by default.",
    ),
})

# The Change Advisory Board (issue 4).
LIFECYCLE.update({
    "cab": (
        {
            "weekday": "wed",
            "time": "10:00",
            "duration_minutes": 60,
            "schedule_weeks_ahead": 2,
            "agenda_lead_hours": 24,
            "quorum": {"chair_required": True, "roles_fraction": 0.5},
            "emergency_within_hours": 4,
            "freeze_review_days_before": 2,
            "freeze_lookahead_days": 30,
            "calendar_days_ahead": 14,
            "action_reminder_days_before": 1,
            "review_risks": ["high", "critical"],
            "agenda_lookback_days": 7,
        },
        "POLICY §5, §7 [002 §7]",
        "CAB: the regular meeting's weekday (mon..sun) and local start time and length; how many weeks ahead "
        "the beat job creates meetings; how many hours before a meeting its agenda is generated; quorum (the "
        "chair or a chair deputy present, plus at least this fraction of the board's seats represented); an "
        "emergency CAB must meet within this many hours; a freeze review meets this many days before a freeze "
        "found this many days ahead; the agenda's calendar covers this many days; action-item owners are "
        "reminded this many days before the due date; changes of the `review_risks` levels are the CAB's "
        "(awaiting its approval, or emergency changes flagged for its next review); an agenda covers the time "
        "since the previous agenda, or the last `agenda_lookback_days` days when there is none. Decisions follow "
        "the majority of the voting members present; the chair breaks ties.",
    ),
})

LIFECYCLE.update({
    "soft_freeze_extra_approval": (
        {"role": "manager"},
        "POLICY §6 [002 §9.2]",
        "A change planned inside a soft freeze needs one extra approval slot of this role.",
    ),
})

# Emergency authorization (issue 9 §4): who may authorize an emergency change, and how far back.
LIFECYCLE.update({
    "emergency_authorization": (
        {"alone": ["cto", "ciso"], "pair": ["manager", "security"], "max_backdate_hours": 24},
        "POLICY §7 [002 §6.3]",
        "An emergency change is authorized by one holder of an `alone` role, or by the holders of every `pair` "
        "role together (outside business hours a pair role must be on call); a verbal authorization may be "
        "recorded at most `max_backdate_hours` after it was given.",
    ),
})

# Deploy inside the approved schedule (issue 9 §1): how far a deployment may stray from its plan.
LIFECYCLE.update({
    "deploy_schedule_tolerance_minutes": (
        30,
        "POLICY §4 deploy [002 §9.3]",
        "A deployment starts and ends within the change's planned start and end, give or take this many "
        "minutes; outside that the change is rescheduled first.",
    ),
})
