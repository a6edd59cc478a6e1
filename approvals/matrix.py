"""Which approval slots a change needs, computed from policy data [POLICY §3].

Three rules combine, the strictest winning:
1. the approval matrix by final risk level (peer, manager, security, CAB, CTO);
2. reviewer counts by category (e.g. database: 2 reviewers, one a DBA; application: 2 peers);
3. a security review whenever any security trigger is ticked.
"""
from dataclasses import dataclass

from approvals.choices import SlotRole
from changemgmt import policy


@dataclass(frozen=True)
class SlotSpec:
    role: str
    ordinal: int
    rule: str
    policy: str


def required_slots(*, risk_level: str, category: str, security_triggers: list[str],
                   extra: list[tuple[str, str, str]] = ()) -> list[SlotSpec]:
    """`extra`: (role, rule, policy) approvals required beyond the matrix, each one more slot of its role
    (e.g. the extra approval a soft freeze asks for)."""
    matrix = policy.get("approval_matrix")
    category_rule = policy.get("category_reviewers").get(category, {"count": 1, "including": "peer"})
    specs: list[SlotSpec] = []
    counts: dict[str, int] = {}

    def need(role: str, rule: str, ref: str, *, at_least: int = 1) -> None:
        while counts.get(role, 0) < at_least:
            counts[role] = counts.get(role, 0) + 1
            specs.append(SlotSpec(role, counts[role], rule, ref))

    # Reviewers by category: `count` reviewers, one holding `including`, the rest peers.
    including = category_rule["including"]
    need(including, f"{category.capitalize()} changes need a {SlotRole(including).label.lower()} reviewer",
         policy.reference("category_reviewers"))
    peers_needed = category_rule["count"] - 1 + (1 if including == SlotRole.PEER else 0)
    need(SlotRole.PEER, f"{category.capitalize()} changes need {category_rule['count']} reviewers",
         policy.reference("category_reviewers"), at_least=peers_needed)

    for role in matrix[risk_level]:
        need(role, f"{risk_level.capitalize()} risk requires {SlotRole(role).label.lower()} approval",
             policy.reference("approval_matrix"))

    if security_triggers:
        labels = policy.labels("security_triggers")
        ticked = ", ".join(labels.get(code, code) for code in security_triggers)
        need(SlotRole.SECURITY, f"Security review required by: {ticked}", policy.reference("security_triggers"))

    for role, rule, ref in extra:
        need(role, rule, ref, at_least=counts.get(role, 0) + 1)
    return specs
