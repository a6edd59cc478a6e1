"""A few conversations on demo changes, so the collaboration panel, the inbox and "watching" have
something to show: a reviewer's question to the author with an @mention, the author's answer, and
internal work notes between the people who work the change — each written through
changes.collaboration.services.add_comment (rules, mentions, watchers, notifications, ledger), at its
own moment among the change's other steps (demo.builder runs every step in time order)."""
from datetime import timedelta

from changemgmt.models import User
from changes.choices import State
from changes.collaboration import services as collaboration
from demo.plans import Plan

# (hours after the change was filed, who writes — "author" is the change's author —, the text, work note?).
# Hour 24 is the submission and hour 26 the assessment (demo.builder.Builder.plan_steps).
IN_APPROVAL = [
    (24.5, "bob", "@{author} the rollback plan says to redeploy the previous release: how long does that take, "
                  "end to end? I'd like a number before I grant.", False),
    (25.2, "author", "About 10 minutes with a rolling redeploy, and nothing in this change stops the previous "
                     "release from running. I added the timing to the rollback plan.", False),
    (27, "oscar", "Ops: we'll keep the canary at 5 % for the first 30 minutes and watch p95 latency. "
                  "@bob ping me if the review turns up anything about connection pooling.", True),
]
CLOSED = [
    (24.5, "oscar", "Ops: I booked a status-page notice for the deployment window, in case customers notice "
                    "the switch-over.", True),
    (25, "author", "Thanks! Support has the same window in their calendar.", False),
]


def _step(plan: Plan, who: str, text: str, work_note: bool, by_name: dict[str, User]):
    def write():
        author = plan.author.username
        actor = plan.author if who == "author" else by_name[who]
        collaboration.add_comment(change_id=plan.change_id, actor=actor,
                                  data={"body": text.format(author=author), "work_note": work_note})
    return write


def plan_conversations(plans: list[Plan], by_name: dict[str, User]) -> None:
    """Add the conversation steps to the first change waiting for approval and the first closed one."""
    for state, lines in ((State.APPROVAL, IN_APPROVAL), (State.CLOSED, CLOSED)):
        plan = next((plan for plan in plans if plan.state == state and plan.template is None), None)
        if plan is None:
            continue
        filed = plan.steps[0][0]  # the first step files the change
        for hours, who, text, work_note in lines:
            plan.steps.append((filed + timedelta(hours=hours), _step(plan, who, text, work_note, by_name)))
