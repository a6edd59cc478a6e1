"""Every write of the collaboration panel, from the page, the API and tasks: comment (with
@mentions), watch, unwatch, attach. Each locks the change, checks changes.collaboration.rules,
validates, writes, and appends its ledger entry in the same transaction; notifications are inbox rows
in that transaction (changemgmt.notifications: the one path, mailed after commit). A refusal writes
nothing — an attachment's stored file included."""
import hashlib
import posixpath
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from changemgmt import ledger, policy
from changemgmt.errors import Conflict
from changemgmt.models import NotificationKind, User
from changemgmt.notifications import Message, notify_many
from changemgmt.roles import is_member
from changes.choices import State
from changes.collaboration import rules
from changes.collaboration.forms import AttachmentForm, CommentForm
from changes.collaboration.models import Attachment, Comment, Watch
from changes.forms import reject_unknown
from changes.models import ChangeRequest

# @username: Django's username characters; not inside an e-mail address; a sentence's full stop is not part of it.
MENTION = re.compile(r"(?<![\w.+@-])@([\w.+@-]*[\w+-])")
MEGABYTE = 1024 * 1024


def _lock(change_id) -> ChangeRequest:
    try:
        return ChangeRequest.objects.select_for_update().get(pk=change_id)
    except ChangeRequest.DoesNotExist as exc:
        raise ChangeRequest.DoesNotExist(f"No change with id {change_id}") from exc


def _url(change) -> str:
    return f"/changes/{change.pk}/#collaboration"


def mentioned_names(body: str) -> list[str]:
    """The usernames named with @ in `body`, each once, in order."""
    return list(dict.fromkeys(MENTION.findall(body)))


def _mentioned_people(names: list[str], *, work_note: bool) -> list:
    """The accounts named, or a refusal on `body` naming each unknown one (or one who may not read a work note)."""
    people = {user.username: user for user in User.objects.filter(username__in=names, is_active=True)}
    unknown = [name for name in names if name not in people or not is_member(people[name])]
    if unknown:
        raise ValidationError({"body": [f"No one with a role is called @{name}." for name in unknown]})
    if work_note:
        blind = [name for name in names if not rules.can_read_work_notes(people[name])]
        if blind:
            raise ValidationError({"body": [f"@{name} cannot read work notes; mention them in a comment instead."
                                            for name in blind]})
    return [people[name] for name in names]


def _watch(change, user) -> bool:
    """Start watching unless already; True when a watch was added."""
    _, created = Watch.objects.get_or_create(change=change, user=user)
    return created


def _watchers_told(change, *, actor, exclude: set[int], work_note: bool) -> list[int]:
    """Ids of the watchers to tell: not the actor, not `exclude`, only those who may read what happened."""
    skipped = {*exclude, *([actor.pk] if actor is not None else [])}
    watchers = (Watch.objects.filter(change=change, user__is_active=True).exclude(user_id__in=skipped)
                .select_related("user"))
    return [watch.user_id for watch in watchers if not work_note or rules.can_read_work_notes(watch.user)]


def add_comment(*, change_id, actor, data) -> Comment:
    """Comment (or, with `work_note`, write an internal note) on a change. Each @username is notified
    (an unknown name is refused: nothing is written); watchers are told; the author starts watching."""
    with transaction.atomic():
        change = _lock(change_id)
        reject_unknown(CommentForm, data)
        form = CommentForm(data=data)
        if not form.is_valid():
            raise ValidationError({name: [error["message"] for error in errors]
                                   for name, errors in form.errors.get_json_data().items()})
        body, work_note = form.cleaned_data["body"], form.cleaned_data["work_note"]
        if not rules.can_comment(actor, change):
            raise PermissionDenied("Auditors read changes; they do not comment on them.")
        if work_note and not rules.can_write_work_note(actor, change):
            raise PermissionDenied("Work notes are internal to the people who work changes; requesters comment.")
        mentioned = [user for user in _mentioned_people(mentioned_names(body), work_note=work_note)
                     if user.pk != actor.pk]
        comment = Comment.objects.create(change=change, author=actor, body=body, work_note=work_note)
        comment.mentions.set(mentioned)
        watching = _watch(change, actor)
        ledger.append(actor=actor, action="change.work_noted" if work_note else "change.commented", subject=change,
                      payload={"comment": comment.pk, "body": body,
                               "mentions": [user.username for user in mentioned], "watching": watching})
        kind = "work note" if work_note else "comment"
        who = actor.get_full_name() or actor.username
        messages = [Message(user.pk, NotificationKind.MENTIONED, f"{who} mentioned you on {change.reference}",
                            f"In a {kind} on “{change.title}”:\n\n{body}", _url(change)) for user in mentioned]
        messages += [Message(user_id, NotificationKind.WATCHED_COMMENT, f"New {kind} on {change.reference}",
                             f"{who} wrote on “{change.title}”:\n\n{body}", _url(change))
                     for user_id in _watchers_told(change, actor=actor, exclude={u.pk for u in mentioned},
                                                   work_note=work_note)]
        notify_many(messages)
        return comment


def watch(*, change_id, actor) -> Watch:
    """Follow a change: its comments and transitions reach you. Watching twice is refused (409)."""
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_watch(actor, change):
            raise PermissionDenied("Auditors read changes; watching one is a write they do not make.")
        if not _watch(change, actor):
            raise Conflict(f"You already watch {change.reference}.")
        ledger.append(actor=actor, action="change.watched", subject=change, payload={"user": actor.username})
        return Watch.objects.get(change=change, user=actor)


def unwatch(*, change_id, actor) -> None:
    """Stop following a change. Unwatching a change you do not watch is refused (409)."""
    with transaction.atomic():
        change = _lock(change_id)
        if not rules.can_watch(actor, change):
            raise PermissionDenied("Auditors read changes; watching one is a write they do not make.")
        deleted, _ = Watch.objects.filter(change=change, user=actor).delete()
        if not deleted:
            raise Conflict(f"You do not watch {change.reference}.")
        ledger.append(actor=actor, action="change.unwatched", subject=change, payload={"user": actor.username})


def allowed_types() -> dict[str, str]:
    return {entry["extension"]: entry["content_type"] for entry in policy.get("attachments")["types"]}


def limits_text() -> str:
    limits = policy.get("attachments")
    return f"At most {limits['max_size_mb']} MB; types {', '.join(sorted(allowed_types()))}."


def _checked_upload(upload) -> tuple[str, str]:
    """(file name, content type) of an upload the policy allows, or a refusal on `file` naming the rule."""
    limits = policy.get("attachments")
    name = posixpath.basename((upload.name or "").replace("\\", "/")).strip()
    extension = posixpath.splitext(name)[1].lower()
    types = allowed_types()
    if extension not in types:
        raise ValidationError({"file": [f"Files of type “{extension or 'no extension'}” are not accepted "
                                        f"(attachments policy: {', '.join(sorted(types))})."]})
    if upload.size > limits["max_size_mb"] * MEGABYTE:
        raise ValidationError({"file": [f"The file is {upload.size / MEGABYTE:.1f} MB; the attachments policy "
                                        f"allows at most {limits['max_size_mb']} MB."]})
    return name, types[extension]


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def add_attachment(*, change_id, actor, data, files) -> Attachment:
    """Keep a file with a change: checked against the attachments policy (size, type), stored through
    Django's default storage under a random name, its SHA-256 recorded on the row and in the ledger."""
    form = AttachmentForm(data=data, files=files)
    if set(data.keys()) - {"csrfmiddlewaretoken"} or set(files.keys()) - {"file"}:
        unknown = sorted((set(data.keys()) | set(files.keys())) - {"csrfmiddlewaretoken", "file"})
        raise ValidationError({key: "Unknown field." for key in unknown})
    if not form.is_valid():
        raise ValidationError({name: [error["message"] for error in errors]
                               for name, errors in form.errors.get_json_data().items()})
    upload = form.cleaned_data["file"]
    stored = None
    try:
        with transaction.atomic():
            change = _lock(change_id)
            if not rules.can_attach(actor, change):
                raise PermissionDenied("Auditors read changes; they do not attach files.")
            name, content_type = _checked_upload(upload)
            attachment = Attachment(change=change, uploaded_by=actor, filename=name, content_type=content_type,
                                    size=upload.size, sha256=_sha256(upload))
            attachment.file.save(name, upload, save=False)
            stored = attachment.file.name
            attachment.save()
            ledger.append(actor=actor, action="change.attached", subject=change, payload={
                "attachment": attachment.pk, "filename": name, "content_type": content_type, "size": upload.size,
                "sha256": attachment.sha256})
            told = _watchers_told(change, actor=actor, exclude=set(), work_note=False)
            who = actor.get_full_name() or actor.username
            notify_many([Message(user_id, NotificationKind.WATCHED_COMMENT, f"File attached to {change.reference}",
                                 f"{who} attached {name} ({upload.size} bytes, SHA-256 {attachment.sha256}).",
                                 _url(change)) for user_id in told])
            return attachment
    except BaseException:
        if stored:
            Attachment.file.field.storage.delete(stored)
        raise


def tell_watchers_of_transition(*, actor, change_id, from_state, to_state) -> None:
    """A change moved (any transition, automatic ones too): its watchers hear of it, the actor excepted.
    A `change.<transition>` event without a move (no `to_state`, or the same state) tells nobody."""
    if to_state is None or from_state == to_state:
        return
    change = ChangeRequest.objects.get(pk=change_id)
    who = "changemgmt" if actor is None else (actor.get_full_name() or actor.username)
    state = change.get_state_display()
    labels = dict(State.choices)
    notify_many([Message(user_id, NotificationKind.WATCHED_TRANSITION, f"{change.reference} is now {state}",
                         f"{who} moved “{change.title}” from {labels.get(from_state, from_state)} to {state}.",
                         _url(change))
                 for user_id in _watchers_told(change, actor=actor, exclude=set(), work_note=False)])
