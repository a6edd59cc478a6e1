"""One shape: every app and app-like sub-package names its modules from one file set (issue 14, README
"Design", docs/architecture.md), so knowing one app means knowing all.

A module (or sub-package) of a package below is either a standard one — the same name means the same job
in every package — or one of that package's named extras, each with the one-line reason it exists. A new
module of another name fails here until it is put in its place or listed with its reason; an extra that is
gone comes off the list. No module of the four layers (migrations aside) grows past MAX_LINES.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400

STANDARD = {
    "__init__", "models", "choices", "rules", "services", "selectors", "forms", "views", "urls", "api",
    "admin", "tasks", "apps", "presenters", "templatetags", "management", "migrations",
}

EXTRAS = {
    "changemgmt": {
        # the site
        "settings": "the one settings module, read from the environment",
        "env": "strict parsing of environment settings, for settings",
        "celery": "the Celery application",
        "wsgi": "gunicorn's entry point",
        "db_roles": "the application's PostgreSQL role in production",
        "context_processors": "the template context every page needs",
        "web": "the kernel's pages (API tokens), the page access gate, htmx helper, record timeline",
        "people_commands": "an app of management commands replacing django.contrib.auth's user-writing ones",
        # the kernel
        "notifications": "sub-package: the inbox, preferences and the one mail path",
        "ledger": "sub-package: the audit ledger, its Merkle tree, signing key and verifier",
        "webhooks": "sub-package: Standard Webhooks subscriptions and their delivery from the outbox",
        "people_services": "writes to users, teams and API tokens (the kernel has more than one service module)",
        "admin_base": "the two admin base classes (audited, read-only) every app's admin uses",
        "roles": "the role (group) names",
        "errors": "the refusals every service raises",
        "refusals": "logging a refused write",
        "locking": "the one lock order of every write touching a change and its approvals",
        "lockout": "login guessing lock-out (django-axes)",
        "backends": "the authentication backend that loads a session's user with its roles in one query",
        "clock": "business time: working days, holidays, SLAs",
        "policy": "the one policy accessor, cached per request or task",
        "policy_services": "the policy's one write path (the kernel has more than one service module)",
        "policy_defaults": "sub-package: the default policy pack, as data, by theme",
        "policy_schema": "sub-package: what a policy value must mean before it is stored, rules by theme",
        "policy_pack": "the whole policy as a versioned file: export, read, diff, import",
        "events": "domain events: publish, the subscriber table, the outbox row",
        "outbox": "the registry of the outbox's delivery handlers",
        "tasking": "queue Celery work on commit without a broker outage breaking the request",
        "compiled": "a query's SQL built once per process, run with each request's value (the change page)",
        "sessions": "the session engine: Django's database sessions, read with their user in one query",
        "prepared": "SQL PostgreSQL parses and plans once per connection (PREPARE, then EXECUTE)",
        "pg_timestamps": "PostgreSQL timestamps parsed by psycopg's C loader in Django's time zone",
    },
    "approvals": {
        "matrix": "which approval slots a change needs, from policy data",
        "sla": "approval SLAs: due times and the reminder/escalation sweep",
        "badges": "SLA badges for many slots at once",
        "delegation": "delegation while away: acting for someone, recording a delegation",
        "notices": "telling the holders of a new slot",
        "email_link_services": "signed single-use grant/reject links of request and reminder mails; deciding by one",
        "queue_pages": "the 'My approvals' pages (views under another name, being reworked with the pages)",
        "queue_urls": "their URLs",
        "queue_table": "My approvals' rows as markup, made around the query that reads their siblings",
        "roster_pages": "the on-call roster's configuration page (views under another name, beside the queue's)",
    },
    "changes": {
        "calendar": "sub-package: windows, freezes, conflicts, openings, feeds",
        "emergency": "sub-package: verbal authorization, confirmation, the 24-hour paperwork",
        "pipeline": "sub-package: the pipeline deploy gate and its attestations",
        "collaboration": "sub-package: comments, work notes, @mentions, watchers and attachments",
        "lists": "sub-package: the change list's saved filters, CSV export and bulk actions",
        "review": "sub-package: the post-implementation review's follow-ups at 24 hours and 1 week",
        "policypack": "sub-package: the policy pack's page and API, and the dry run of a policy edit",
        "gates": "the pure gate functions of POLICY §4",
        "transitions": "the transition registry: each step's form, gate and effect",
        "risk": "the risk scorecard, pure",
        "invariants": "sub-package: what must hold for every change, as checkable rules, by POLICY section",
        "subscribers": "every synchronous reaction to a domain event, in one table",
        "filters": "the one FilterSet for changes, shared by the page and the API",
        "catalog_services": "writes to the service catalog (services, items, standard templates)",
        "rollback_services": "the roll-back record, the roll_back step's effect (run by run_transition)",
        "dashboard": "the 'My work' page at the site root",
        "page_loader": "the change page's one query: the change with its relations as JSON columns",
        "catalog_pages": "the service catalog's configuration pages (views.py holds the change pages)",
    },
    "cab": {
        "agenda": "agenda generation: the six sections, stored as a snapshot",
        "tally": "quorum and the decision rule, pure",
        "markdown": "the minutes as Markdown",
        "ics": "iCalendar invitations for meetings",
        "feed": "meetings in the change calendar's feeds",
        "board_pages": "the board list's page (views under another name, being reworked with the pages)",
    },
    "audit": {
        "population": "the population of changes for a period with its control attributes, and the exceptions",
        "evidence": "one change's evidence pack (zip) with inclusion proofs",
        "retention": "sub-package: retention per record kind, tombstones and the legal hold (POLICY §9)",
    },
    "demo": {
        "data": "what the demo is made of: people, services, catalog, board, the shape of the changes",
        "people": "people, teams, the board and the catalog, get-or-created through their services",
        "plans": "the demo changes as plans, with their planned times (a few in conflict)",
        "builder": "carrying each plan to its state through the services, in time order",
        "conversation": "a few comments, work notes and @mentions on demo changes, through the collaboration service",
        "loader": "seed(): the whole demo in one transaction, and the next CAB meeting with its agenda",
    },
    "metrics": {},
    "changes/invariants": {
        "core": "the Subject the rules read, the Violation they return, the registry (`@rule`)",
        "submit": "the rules of submitting [POLICY §4 submit, §1, §6]",
        "assess": "the rules of assessment [POLICY §2]",
        "approval": "the rules of approvals [POLICY §3, §5]",
        "delivery": "the rules of test, deploy, verify, close, roll back [POLICY §4, §6, §7, §8]",
        "ledger": "the ledger's rules [POLICY §9]",
    },
    "changes/calendar": {
        "schedule": "schedule rules: windows by weekday and risk, freezes, lead time",
        "conflicts": "conflicts between changes, recomputed on every edit",
        "openings": "the next available deployment openings (\"slots\" means approval slots only)",
        "feeds": "iCalendar feeds of changes and freezes",
        "config_pages": "the windows' and freezes' configuration pages (views.py holds the calendar's views)",
    },
    "changes/emergency": {
        "authorization": "who may authorize an emergency change, and when",
        "panel": "what the change page's emergency panel shows",
    },
    "changes/pipeline": {
        "evaluation": "the pipeline gate's answer, a pure function",
        "attestation": "the signed deploy attestation (in-toto, DSSE)",
        "health": "a stage's health against the policy's budgets, pure",
    },
    "changemgmt/webhooks": {
        "destinations": "the webhook URL check (public addresses only) and the one HTTP request",
    },
    "changemgmt/policy_defaults": {
        "lifecycle": "the keys of the change's life cycle (issues 1-9)",
        "integrations": "the keys of pipeline, webhooks, e-mail links, attachments, review follow-ups, metrics",
    },
    "changemgmt/policy_schema": {
        "checks": "what every rule shares: constants, the apps' vocabularies, the message collector",
        "lifecycle": "the rules of the life-cycle keys (issues 1-9)",
        "integrations": "the rules of the integration and metrics keys (issues 10-12)",
    },
    "changemgmt/notifications": {
        "mail": "the one mail path: claim due rows, render, send, release on failure",
    },
    "changemgmt/ledger": {
        "guard": "database triggers that keep the ledger append-only",
        "audit": "verify, export and checkpoint the stored ledger",
        "verifier": "the standalone verifier an auditor copies (standard library only)",
        "signing_key": "the Ed25519 signing key",
        "rotation": "rotating the signing key",
        "merkle": "RFC 9162 Merkle tree math, pure",
        "merkle_store": "the Merkle tree in the database",
        "merkle_verify": "standalone Merkle proof checks for auditors",
        "tree_heads": "signed tree heads and proof documents",
    },
}

# Modules still over MAX_LINES, to split; the list only shrinks.
TOO_LONG = {
}


def _names(package: str) -> set[str]:
    folder = ROOT / package
    found = {path.stem for path in folder.glob("*.py")}
    found |= {path.name for path in folder.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    return found


def test_every_module_is_standard_or_a_named_extra():
    unknown = {package: sorted(_names(package) - STANDARD - set(extras))
               for package, extras in EXTRAS.items()}
    assert {package: names for package, names in unknown.items() if names} == {}, (
        "use a name of the standard set, or list the module in its package's EXTRAS with why")


def test_every_named_extra_exists_and_is_no_standard_name():
    for package, extras in EXTRAS.items():
        assert not set(extras) & STANDARD
        missing = set(extras) - _names(package)
        assert not missing, f"{package}: {sorted(missing)} gone; drop them from EXTRAS"


def test_every_sub_package_is_a_named_extra_of_its_parent():
    for package in EXTRAS:
        if "/" in package:
            parent, name = package.rsplit("/", 1)
            assert name in EXTRAS[parent]


def test_no_module_is_over_the_line_limit():
    long = {path.relative_to(ROOT).as_posix(): count
            for top in ("changemgmt", "approvals", "changes", "cab", "audit", "metrics", "demo")
            for path in sorted((ROOT / top).rglob("*.py"))
            if "migrations" not in path.parts and (count := len(path.read_text().splitlines())) > MAX_LINES}
    assert set(long) - set(TOO_LONG) == set(), f"split these modules: {long}"
    assert set(TOO_LONG) <= set(long), f"{sorted(set(TOO_LONG) - set(long))} are short now: drop them from TOO_LONG"
