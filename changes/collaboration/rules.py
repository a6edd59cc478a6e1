"""Who may read and write what on a change's collaboration panel: the one predicate module (services
enforce these; templates and the API use them to show only what a person may do).

Work notes are internal: everyone who works changes reads them — reviewers, approvers, operations,
the CAB, auditors (read-only, who must see the whole record) and administrators — but a person whose
only role is requester does not, even on their own change. Comments are public to every role."""
from changemgmt.roles import Role, roles_of
from changes import rules as change_rules


def can_read_work_notes(user) -> bool:
    return bool(roles_of(user) - {Role.REQUESTER})


def can_comment(user, change) -> bool:
    return change_rules.can_write(user)


def can_write_work_note(user, change) -> bool:
    return change_rules.can_write(user) and can_read_work_notes(user)


def can_watch(user, change) -> bool:
    """Watching is recorded (and audited) like any write: auditors, read-only everywhere, do not."""
    return change_rules.can_write(user)


def can_attach(user, change) -> bool:
    return change_rules.can_write(user)


def can_download(user, change) -> bool:
    return change_rules.can_view(user, change)
