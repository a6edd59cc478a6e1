"""What the demo is made of: the people, the services and catalog, the board, and the shape of the
changes (how many end in each state, their titles, services and risk levels)."""
from dataclasses import dataclass

from changemgmt.roles import Role
from changes.choices import Category, State

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

# The CAB board [POLICY §5]: all six seats, appointed by the administrator.
BOARD = [("carol", "chair"), ("bob", "engineering"), ("cameron", "operations"), ("sam", "security"),
         ("pat", "qa"), ("mia", "business")]
# How many future changes share a service and a time with another, to show conflicts.
CONFLICT_PAIRS = 3
