"""Demo data: people for every role, teams, services, the standard catalog and ~50 changes in every state.

Changes are built through the services (changes.services, approvals.services), so every gate,
permission and ledger entry is real: the demo shows what the product does, not rows it could never
produce. To give the changes a plausible history (filed weeks ago, deployed in a Tuesday window,
verified after the monitoring period) each step runs at its own moment under time_machine, and all
steps of all changes run in time order, so the ledger reads chronologically.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import time_machine
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from approvals import services as approval_services
from approvals.choices import SlotRole, SlotStatus
from approvals.models import ApprovalSlot
from approvals.rules import decision_refusals
from cab.models import BoardMember
from cab.services import board
from cab.services import meetings as cab_meetings
from cab.services import voting as cab_voting
from changemgmt import people_services, policy
from changemgmt.models import Team, User
from changemgmt.roles import Role
from changes import catalog_services, services
from changes.calendar import schedule
from changes.choices import Category, ChangeType, State
from changes.gates import required_tests
from changes.models import ChangeRequest, Service, StandardTemplate

# One password for every demo login; `manage.py demo` prints it (demo data is for trying the app only).
DEMO_PASSWORD = "demo-change-2026"


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    team: str | None
    roles: tuple[str, ...]
    manager: str | None


PEOPLE = [
    Person("alice", "Alice", "Moreau", "Payments", (Role.REQUESTER,), "mia"),
    Person("ravi", "Ravi", "Sharma", "Mobile", (Role.REQUESTER,), "mia"),
    Person("bob", "Bob", "Keller", "Platform", (Role.PEER_REVIEWER,), "mia"),
    Person("pat", "Pat", "Doyle", "Platform", (Role.PEER_REVIEWER,), "mia"),
    Person("mia", "Mia", "Rossi", "Platform", (Role.MANAGER,), "cora"),
    Person("sam", "Sam", "Adeyemi", "Security", (Role.SECURITY,), "iris"),
    Person("dana", "Dana", "Weiss", "Data", (Role.DBA,), "mia"),
    Person("oscar", "Oscar", "Silva", "Operations", (Role.OPERATIONS,), "mia"),
    Person("cameron", "Cameron", "Brooks", "Operations", (Role.CAB_MEMBER,), "carol"),
    Person("carol", "Carol", "Nguyen", "Release", (Role.CAB_CHAIR, Role.CAB_MEMBER), "cora"),
    Person("cora", "Cora", "Chen", "Leadership", (Role.CTO,), None),
    Person("iris", "Iris", "Okafor", "Security", (Role.CISO,), "cora"),
    Person("audrey", "Audrey", "Park", "Compliance", (Role.AUDITOR,), "cora"),
    Person("ada", "Ada", "Lindqvist", "Platform", (Role.ADMINISTRATOR,), "cora"),
]

SERVICES = [
    ("payments-api", "Payments", "critical", "Card and bank payments for the web shop and the apps."),
    ("refunds-worker", "Payments", "high", "Processes refund requests in the background."),
    ("checkout-web", "Payments", "critical", "The checkout pages."),
    ("mobile-backend", "Mobile", "high", "API gateway for the iOS and Android apps."),
    ("push-notifications", "Mobile", "medium", "Sends push notifications to the apps."),
    ("identity-provider", "Security", "critical", "Single sign-on and multi-factor authentication."),
    ("secrets-vault", "Security", "critical", "Keys and secrets for every service."),
    ("customer-db", "Data", "critical", "PostgreSQL cluster holding customer accounts."),
    ("analytics-warehouse", "Data", "medium", "Nightly reporting warehouse."),
    ("k8s-cluster", "Operations", "critical", "The production Kubernetes cluster."),
    ("edge-proxy", "Operations", "high", "TLS termination and routing at the edge."),
    ("docs-site", "Platform", "low", "Public developer documentation."),
]

LOW_SCORES = {"systems": 1, "users": 1, "data": 1, "reversibility": 1, "security": 1}
TEMPLATES = [
    {"name": "Patch-level dependency update", "category": Category.APPLICATION,
     "description": "Bump a dependency by a patch release (x.y.Z) with no API change.",
     "implementation_plan": "Merge the lock-file update; the pipeline builds and deploys with a rolling update.",
     "test_plan": "Full unit suite in CI; smoke test in staging.",
     "rollback_plan": "Revert the lock-file commit and redeploy the previous artefact."},
    {"name": "Documentation update", "category": Category.APPLICATION,
     "description": "Change documentation pages only; no code or configuration.",
     "implementation_plan": "Merge the docs change; the docs pipeline publishes it.",
     "test_plan": "Docs build and link check pass in CI.",
     "rollback_plan": "Revert the commit; the docs pipeline republishes the previous version."},
    {"name": "Logging configuration change", "category": Category.INFRASTRUCTURE,
     "description": "Adjust log levels, formats or destinations without changing application behaviour.",
     "implementation_plan": "Apply the configuration through the config repository; pods reload it.",
     "test_plan": "Configuration lint in CI; check log output in staging.",
     "rollback_plan": "Revert the configuration commit; pods reload the previous configuration."},
    {"name": "Non-functional UI text change", "category": Category.APPLICATION,
     "description": "Change labels, help text or typos in the user interface; no behaviour change.",
     "implementation_plan": "Merge the text change; deploy with the normal rolling update.",
     "test_plan": "Unit suite and visual check in staging.",
     "rollback_plan": "Revert the commit and redeploy the previous artefact."},
]

RISKS = {
    "low": LOW_SCORES,
    "medium": {"systems": 2, "users": 2, "data": 2, "reversibility": 1, "security": 1},
    "high": {"systems": 3, "users": 3, "data": 2, "reversibility": 2, "security": 2},
    "critical": {"systems": 3, "users": 3, "data": 3, "reversibility": 2, "security": 1},
}

# Where each planned change ends up: (state, how many).
STATE_COUNTS = [
    (State.DRAFT, 5), (State.ASSESSMENT, 5), (State.APPROVAL, 6), (State.TESTING, 5), (State.READY, 4),
    (State.DEPLOYED, 3), (State.VERIFIED, 3), (State.CLOSED, 13), (State.REJECTED, 3), (State.CANCELLED, 3),
    (State.ROLLED_BACK, 2),
]
PAST_STATES = {State.DEPLOYED, State.VERIFIED, State.CLOSED, State.ROLLED_BACK}

TITLES = [
    ("Upgrade payments API to v2.3", "payments-api", Category.APPLICATION),
    ("Add index on customer email", "customer-db", Category.DATABASE),
    ("Rotate TLS certificates on the edge proxy", "edge-proxy", Category.SECURITY),
    ("Scale k8s node pool to 12 nodes", "k8s-cluster", Category.INFRASTRUCTURE),
    ("Enable MFA for admin console", "identity-provider", Category.SECURITY),
    ("New refund retry policy", "refunds-worker", Category.APPLICATION),
    ("Migrate analytics tables to partitioned layout", "analytics-warehouse", Category.DATABASE),
    ("Mobile backend rate limiting", "mobile-backend", Category.APPLICATION),
    ("Upgrade Kubernetes to 1.31", "k8s-cluster", Category.INFRASTRUCTURE),
    ("Checkout page redesign", "checkout-web", Category.APPLICATION),
    ("Move secrets to new vault namespace", "secrets-vault", Category.SECURITY),
    ("Batch push notifications", "push-notifications", Category.APPLICATION),
]
RISK_CYCLE = ["low", "medium", "low", "high", "medium", "critical", "low", "medium"]


@dataclass
class Plan:
    """One demo change: what it is, where it ends, and its steps (time, action) to get there."""

    number: int
    state: str
    author: User
    title: str
    service: Service
    category: str
    risk: str
    change_type: str = ChangeType.NORMAL
    raised: bool = False  # a reviewer raised the computed level (low) to `risk`
    template: StandardTemplate | None = None
    slot_start: datetime | None = None
    change_id: int | None = None
    steps: list[tuple[datetime, Callable[[], None]]] = field(default_factory=list)


@dataclass
class Summary:
    created: bool
    users: list[User]
    states: dict[str, int]


def has_demo_changes() -> bool:
    return ChangeRequest.objects.exists()


def _ensure_team(name: str) -> Team:
    return Team.objects.filter(name=name).first() or people_services.save_team(actor=None, team=Team(name=name))


def ensure_people() -> list[User]:
    """Teams and one login per role, each with a manager (the CTO tops the chart). Idempotent; every
    write goes through changemgmt.people_services, so it is in the history and the ledger."""
    users = {}
    hashed = make_password(DEMO_PASSWORD)  # hashing is slow by design: once, not per user
    for person in PEOPLE:
        roles = Group.objects.filter(name__in=person.roles)
        user = User.objects.filter(username=person.username).first()
        if user is None:
            admin = Role.ADMINISTRATOR in person.roles
            user = people_services.save_user(actor=None, groups=roles, user=User(
                username=person.username, first_name=person.first_name, last_name=person.last_name,
                team=_ensure_team(person.team) if person.team else None, email=f"{person.username}@example.com",
                is_staff=admin, is_superuser=admin, password=hashed))
        elif not set(person.roles) <= set(user.groups.values_list("name", flat=True)):
            people_services.save_user(actor=None, user=user, groups=[*user.groups.all(), *roles])
        users[person.username] = user
    for person in PEOPLE:
        user = users[person.username]
        if person.manager and user.manager_id is None:
            user.manager = users[person.manager]
            people_services.save_user(actor=None, user=user)
    return [users[person.username] for person in PEOPLE]


BOARD = [("carol", "chair"), ("bob", "engineering"), ("cameron", "operations"), ("sam", "security")]


def ensure_board(users: list[User]) -> None:
    """The CAB: enough seats for a quorum, appointed by the administrator. Idempotent."""
    by_name = {user.username: user for user in users}
    for username, seat in BOARD:
        if not BoardMember.objects.filter(user=by_name[username], seat=seat, active=True).exists():
            board.appoint(actor=by_name["ada"], user=by_name[username], seat=seat)


def ensure_catalog() -> tuple[list[Service], list[StandardTemplate]]:
    """The services and the standard catalog, written through changes.catalog_services. Idempotent."""
    service_rows = []
    for name, team, criticality, description in SERVICES:
        service_rows.append(Service.objects.filter(name=name).first() or catalog_services.save_service(
            actor=None, service=Service(name=name, owner_team=_ensure_team(team), criticality=criticality,
                                        description=description)))
    templates = [StandardTemplate.objects.filter(name=spec["name"]).first() or catalog_services.save_template(
        actor=None, template=StandardTemplate(**spec, risk_scores=LOW_SCORES)) for spec in TEMPLATES]
    return service_rows, templates


def _slots(start: datetime, *, forward: bool):
    """45-minute deployment slots on the hour, from `start` onward (or backward), that every risk
    level may use and no freeze touches, asked of changes.calendar.schedule itself so the demo follows the
    configured windows and freezes. One change per slot, so no two demo changes overlap."""
    tz = timezone.get_current_timezone()
    day = timezone.localtime(start).date()
    step = timedelta(days=1 if forward else -1)
    for _ in range(400):
        # Only working-day mornings are candidates (POLICY §6 windows are 06:00-10:00, Mon-Thu).
        hours = range(5, 11) if forward else range(10, 4, -1)
        for hour in hours if day.weekday() < 5 else ():
            slot = datetime.combine(day, time(hour, 0)).replace(tzinfo=tz)
            end = slot + timedelta(minutes=45)
            if (slot > start if forward else slot < start) and not schedule.window_violations(
                    change_type=ChangeType.NORMAL, risk="critical", start=slot, end=end) \
                    and not schedule.freeze_violations(change_type=ChangeType.NORMAL, start=slot, end=end,
                                                       service_ids=[]):
                yield slot
        day += step


def _codes(key: str) -> list[str]:
    return [item["code"] for item in policy.get(key)]


def _fields(plan: Plan) -> dict:
    start = plan.slot_start
    data = {
        "title": plan.title,
        "change_type": plan.change_type,
        "category": plan.category,
        "description": f"{plan.title}, planned with the {plan.service.name} owners.",
        "business_justification": "Keeps the service reliable and within its error budget.",
        "impact_systems": plan.service.name,
        "impact_users": "Customers of the service; no downtime expected.",
        "implementation_plan": "Deploy through the pipeline with a canary stage at 5 %.",
        "test_plan": "Unit and integration suites in CI; smoke test in staging.",
        "rollback_plan": "Redeploy the previous release from the artefact store.",
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(minutes=45)).isoformat(),
        "services": [plan.service.pk],
        "ticket_url": f"https://tickets.example.com/CHG-DEMO-{plan.number}",
    }
    if plan.change_type == ChangeType.EMERGENCY:
        data["emergency_criterion"] = _codes("emergency_criteria")[0]
    if plan.state == State.DRAFT and plan.number % 2:
        data["rollback_plan"] = ""  # a draft that still misses an item, to show the gate checklist
    return data


def _decider(slot: ApprovalSlot, people: list[User]) -> User:
    siblings = list(ApprovalSlot.objects.filter(change_id=slot.change_id).exclude(status=SlotStatus.SUPERSEDED)
                    .select_related("decided_by", "change"))
    for person in people:
        if not decision_refusals(person, slot, siblings=siblings):
            return person
    raise LookupError(f"No demo user may decide {slot.role} on change {slot.change_id}")


def _pending_slots(change_id):
    return list(ApprovalSlot.objects.filter(change_id=change_id, status=SlotStatus.PENDING)
                .select_related("change").order_by("id"))


class Builder:
    """Turns plans into steps and runs every step of every plan in time order."""

    def __init__(self, people: list[User], now: datetime):
        self.people = people
        self.by_name = {user.username: user for user in people}
        self.now = now

    def run(self, plans: list[Plan]) -> None:
        steps = [(at, plan.number, index, action) for plan in plans
                 for index, (at, action) in enumerate(plan.steps)]
        for at, _number, _index, action in sorted(steps, key=lambda step: step[:3]):
            with time_machine.travel(at, tick=False):
                action()

    def plan_steps(self, plan: Plan) -> None:
        """Schedule the steps that carry `plan` to its state. Past changes were filed nine days before
        their slot; future ones over the last few days."""
        author = plan.author
        slot = plan.slot_start
        if plan.state in PAST_STATES:
            base = slot - timedelta(days=9)
        else:
            base = self.now - timedelta(days=4) + timedelta(minutes=plan.number * 7)

        def at(hours: float) -> datetime:
            return base + timedelta(hours=hours)

        add = plan.steps.append
        if plan.template is not None:
            add((at(0), lambda: self._create_standard(plan)))
        else:
            add((at(0), lambda: self._create(plan)))
        if plan.state == State.DRAFT:
            return
        if plan.state == State.CANCELLED and plan.number % 2:
            add((at(2), lambda: self._move(plan, "cancel", author, {"reason": "Superseded by a vendor fix."})))
            return
        add((at(24), lambda: self._move(plan, "submit", author)))
        if plan.state == State.ASSESSMENT:
            return
        if plan.state == State.CANCELLED:
            add((at(26), lambda: self._move(plan, "cancel", author, {"reason": "Business no longer needs it."})))
            return
        if plan.template is None:
            add((at(25), lambda: self._score(plan)))
        add((at(26), lambda: self._move(plan, "assess", author)))
        if plan.state == State.REJECTED:
            add((at(30), lambda: self._decide_all(plan, reject=True)))
            return
        if plan.state == State.APPROVAL:
            add((at(30), lambda: self._decide_all(plan, limit=plan.number % 2)))
            return
        add((at(30), lambda: self._decide_all(plan)))
        if plan.state == State.TESTING:
            return
        add((at(48), lambda: self._test(plan)))
        if plan.state == State.READY:
            return
        deployed = slot + timedelta(minutes=15)
        add((deployed, lambda: self._deploy(plan)))
        if plan.state == State.DEPLOYED:
            return
        if plan.state == State.ROLLED_BACK or (plan.state == State.CLOSED and plan.number % 6 == 0):
            add((deployed + timedelta(minutes=30), lambda: self._roll_back(plan)))
            if plan.state == State.CLOSED:
                add((deployed + timedelta(days=1), lambda: self._close(plan, "rolled_back")))
            return
        minutes = policy.get("monitoring_minutes")[plan.risk] + 5
        verified = deployed + timedelta(minutes=minutes)
        add((verified, lambda: self._verify(plan)))
        if plan.state == State.VERIFIED:
            return
        add((verified + timedelta(hours=2), lambda: self._close(plan, "successful")))

    # The steps: each is one or a few service calls, as a person would make them.
    def _create(self, plan: Plan) -> None:
        plan.change_id = services.create_change(actor=plan.author, data=_fields(plan)).pk

    def _create_standard(self, plan: Plan) -> None:
        data = {key: value for key, value in _fields(plan).items()
                if key not in StandardTemplate.CONTROLLED_FIELDS and key != "change_type"}
        plan.change_id = services.create_from_template(actor=plan.author, template_id=plan.template.pk,
                                                       data=data).pk

    def _move(self, plan: Plan, name: str, actor: User, data: dict | None = None) -> None:
        services.run_transition(change_id=plan.change_id, name=name, actor=actor, data=data or {})

    def _score(self, plan: Plan) -> None:
        if plan.raised:
            # A reviewer raises the level, with the written justification policy asks for.
            services.score_risk(change_id=plan.change_id, actor=self.by_name["sam"], data={
                **LOW_SCORES, "override": plan.risk,
                "override_reason": "Touches a payment path during the month-end close."})
            return
        services.score_risk(change_id=plan.change_id, actor=plan.author, data=dict(RISKS[plan.risk]))

    def _decide_all(self, plan: Plan, *, limit: int | None = None, reject: bool = False) -> None:
        for index, slot in enumerate(_pending_slots(plan.change_id)):
            if limit is not None and index >= limit:
                return
            if slot.role == SlotRole.CAB:
                self._board_decides(slot, reject=reject)
                if reject:
                    return
                continue
            decider = _decider(slot, self.people)
            if reject:
                approval_services.decide(slot_id=slot.pk, actor=decider, verdict="reject",
                                         reason="Not in this window: the on-call team is short-staffed.")
                return
            approval_services.decide(slot_id=slot.pk, actor=decider, verdict="grant", reason="Looks good.")

    def _board_decides(self, slot: ApprovalSlot, *, reject: bool) -> None:
        """The CAB slot is the board's [POLICY §5]: the chair convenes a CAB with the whole board
        present, and records its decision on the change's agenda item."""
        chair = self.by_name["carol"]
        meeting = cab_meetings.convene_emergency(actor=chair, change_id=slot.change_id,
                                                 reason=f"The board decides {slot.change.reference}.")
        cab_meetings.start_meeting(meeting_id=meeting.pk, actor=chair)
        cab_meetings.record_attendance(meeting_id=meeting.pk, actor=chair, present_user_ids=list(
            BoardMember.objects.filter(active=True).values_list("user_id", flat=True)))
        item = meeting.items.get(slot=slot)
        cab_voting.record_decision(item_id=item.pk, actor=chair, outcome="reject" if reject else "approve",
                                   reason="Not in this window: the on-call team is short-staffed." if reject else "")
        cab_meetings.end_meeting(meeting_id=meeting.pk, actor=chair)

    def _test(self, plan: Plan) -> None:
        change = ChangeRequest.objects.get(pk=plan.change_id)
        for test_type in required_tests(change):
            services.record_test_evidence(change_id=plan.change_id, actor=plan.author, data={
                "test_type": test_type, "result": "passed", "summary": f"{test_type} suite green in CI.",
                "evidence_url": f"https://ci.example.com/runs/{plan.number}/{test_type}"})
        self._move(plan, "test", plan.author)

    def _deploy(self, plan: Plan) -> None:
        self._move(plan, "deploy", self.by_name["oscar"], {
            "predeploy_checklist": _codes("predeploy_checklist"),
            "deployment_method": _codes("deployment_methods")[plan.number % 4]})

    def _verify(self, plan: Plan) -> None:
        self._move(plan, "verify", self.by_name["oscar"], {"verification_checks": _codes("verification_checks")})

    def _roll_back(self, plan: Plan) -> None:
        now = timezone.now()
        self._move(plan, "roll_back", self.by_name["oscar"], {
            "severity": "high", "trigger": _codes("rollback_triggers")[1], "kind": "application",
            "decided_at": now - timedelta(minutes=10), "completed_at": now,
            "reason": "Error rate rose from 0.2 % to 4 % on the canary.",
            "steps_executed": "Shifted traffic back to the previous release; drained the canary pods.",
            "impact": "About 3 % of requests failed for 12 minutes.",
            "root_cause": "A connection-pool setting was too small for peak load.",
            "preventive_measures": "Load test the pool settings in staging before release."})

    def _close(self, plan: Plan, outcome: str) -> None:
        answers = {code: True for code in _codes("review_items")}
        self._move(plan, "close", plan.author, {
            "outcome": outcome, "review_answers": answers,
            "lessons_learned": "The canary stage caught problems early; keep it for this service."})


def build_plans(people: list[User], service_rows: list[Service], templates: list[StandardTemplate],
                now: datetime) -> list[Plan]:
    by_service = {service.name: service for service in service_rows}
    authors = [user for user in people if user.username in ("alice", "ravi")]
    past = _slots(now - timedelta(days=3), forward=False)
    future = _slots(now + timedelta(days=9), forward=True)
    plans = []
    number = 0
    for state, count in STATE_COUNTS:
        for _ in range(count):
            number += 1
            title, service_name, category = TITLES[number % len(TITLES)]
            plan = Plan(number=number, state=state, author=authors[number % 2], title=title,
                        service=by_service[service_name], category=category,
                        risk=RISK_CYCLE[number % len(RISK_CYCLE)])
            if state in (State.CLOSED, State.READY, State.TESTING) and number % 4 == 0:
                plan.template = templates[number % len(templates)]
                plan.title, plan.category, plan.risk = plan.template.name, plan.template.category, "low"
                plan.change_type = ChangeType.STANDARD
                plan.service = by_service["docs-site"]
            elif state in (State.CLOSED, State.DEPLOYED) and number % 7 == 0:
                plan.change_type = ChangeType.EMERGENCY
            elif plan.risk == "low" and number % 5 == 0:
                plan.risk, plan.raised = "medium", True
            plan.slot_start = next(past) if state in PAST_STATES else next(future)
            plans.append(plan)
    return plans


def seed(*, now: datetime | None = None) -> Summary:
    """Create the demo data unless changes already exist (idempotent: people and catalog are
    get-or-created, changes only seeded into an empty database)."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    with transaction.atomic():
        people = ensure_people()
        ensure_board(people)
        service_rows, templates = ensure_catalog()
        created = not has_demo_changes()
        if created:
            builder = Builder(people, now)
            plans = build_plans(people, service_rows, templates, now)
            for plan in plans:
                builder.plan_steps(plan)
            builder.run(plans)
    states = {state: ChangeRequest.objects.filter(state=state).count() for state in State.values}
    return Summary(created=created, users=people, states=states)
