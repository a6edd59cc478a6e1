"""Quorum and the decision rule [POLICY §5], as pure functions of rows already fetched.

Quorum (policy `cab.quorum`): the chair or a chair deputy present (when `chair_required`), plus at
least `roles_fraction` of the board's seats represented by a present principal or deputy.

Decision rule: the votes that count are those of members present at the meeting (a vote cast
before the meeting counts once its voter is marked present); abstentions and recused members do
not count. More approvals than rejections approve, more rejections reject; a tie (including no
counted votes either way) is the chair's to break.
"""
import math
from dataclasses import asdict, dataclass, field

from cab.choices import Seat, VoteChoice
from changemgmt import policy
from changemgmt.errors import Missing

REF = "POLICY §5 [002 §7]"


@dataclass
class Quorum:
    met: bool
    chair_present: bool
    seats_represented: list[str]
    seats_needed: int
    missing: list[Missing] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"met": self.met, "chair_present": self.chair_present,
                "seats_represented": self.seats_represented, "seats_needed": self.seats_needed}


def quorum(attendance) -> Quorum:
    """`attendance`: the meeting's Attendance rows."""
    rule = policy.get("cab")["quorum"]
    present_seats = sorted({row.seat for row in attendance if row.present})
    needed = math.ceil(len(Seat.values) * rule["roles_fraction"])
    chair_present = Seat.CHAIR in present_seats
    missing = []
    if rule["chair_required"] and not chair_present:
        missing.append(Missing("quorum_chair", "No quorum: the chair or a chair deputy must be present.", REF))
    if len(present_seats) < needed:
        missing.append(Missing("quorum_seats", f"No quorum: {len(present_seats)} of {len(Seat.values)} seats are "
                               f"represented; at least {needed} are needed.", REF))
    return Quorum(not missing, chair_present, present_seats, needed, missing)


@dataclass
class Tally:
    approve: int = 0
    reject: int = 0
    abstain: int = 0
    not_counted: int = 0  # votes of members not (yet) marked present

    @property
    def majority(self) -> str | None:
        """"approve", "reject", or None for a tie the chair breaks."""
        if self.approve > self.reject:
            return VoteChoice.APPROVE.value
        if self.reject > self.approve:
            return VoteChoice.REJECT.value
        return None

    def as_dict(self) -> dict:
        return {**asdict(self), "majority": self.majority}


def tally(votes, present_user_ids, *, attendance_taken: bool) -> Tally:
    """Before attendance is taken every vote is shown as counted (a preview); afterwards only the
    votes of members present count."""
    result = Tally()
    for vote in votes:
        if attendance_taken and vote.voter_id not in present_user_ids:
            result.not_counted += 1
            continue
        setattr(result, vote.choice, getattr(result, vote.choice) + 1)
    return result
