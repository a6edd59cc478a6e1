"""Writes to people: users (team, manager, roles, active flag), teams and API tokens. These are the
inputs to separation of duties, so the admin (and anything else) changes them only here: an
administrator's act, validated, kept in the row history and recorded in the ledger in the same
transaction. A refused request writes nothing and is logged (changemgmt.refusals)."""
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from changemgmt import ledger
from changemgmt.models.people import Team, User
from changemgmt.models.tokens import ApiToken, TokenKind
from changemgmt.refusals import logged_refusals
from changemgmt.roles import Role, has_role

TOKEN_PREFIX = "cm"
USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")


def _check_administrator(actor) -> None:
    """`actor=None` is the system itself (the demo loader, management commands); every request
    passes its user, and an anonymous or unprivileged one is refused."""
    if actor is not None and not has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator edits people, teams, roles and tokens.")


def user_payload(user: User, roles=None) -> dict:
    return {**{name: getattr(user, name) for name in USER_FIELDS},
            "team": user.team.name if user.team_id else None,
            "manager": user.manager.username if user.manager_id else None,
            "roles": sorted(roles if roles is not None else user.groups.values_list("name", flat=True))}


def _check_manager(user: User) -> None:
    """A manager chain never loops back to the user (escalations would circle forever)."""
    seen, boss = set(), user.manager
    while boss is not None and boss.pk not in seen:
        if boss.pk == user.pk or boss is user:
            raise ValidationError({"manager": "A user cannot be their own manager, directly or through others."})
        seen.add(boss.pk)
        boss = boss.manager


@logged_refusals("user.save")
def save_user(*, actor, user: User, groups=None, permissions=None, password: str | None = None) -> User:
    """Create or change `user` (already carrying the new field values). `groups` (the roles) and
    `permissions` replace the current sets when given; a new user gets `password` (or none)."""
    _check_administrator(actor)
    _check_manager(user)
    with transaction.atomic():
        created = user.pk is None
        before = None if created else user_payload(User.objects.select_for_update().get(pk=user.pk))
        if created:
            if password:
                user.set_password(password)
            elif not user.password:  # a loader may bring an already hashed password
                user.set_unusable_password()
        user.save()
        if groups is not None:
            user.groups.set(groups)
        if permissions is not None:
            user.user_permissions.set(permissions)
        user.__dict__.pop("_role_cache", None)
        after = user_payload(user)
        ledger.append(actor=actor, action="user.created" if created else "user.changed", subject=user,
                      payload={"after": after} if created else {"before": before, "after": after})
    return user


def create_superuser(username, email=None, password=None, **extra_fields) -> User:
    """An administrator account, written through `save_user` so it has its `user.created` ledger entry
    (by `system`) and its history row, like one added in the admin (`manage.py createsuperuser`)."""
    extra_fields.setdefault("is_staff", True)
    extra_fields.setdefault("is_superuser", True)
    if extra_fields.get("is_staff") is not True or extra_fields.get("is_superuser") is not True:
        raise ValueError("Superuser must have is_staff=True and is_superuser=True.")
    user = User.objects._create_user_object(username, email, password, **extra_fields)
    return save_user(actor=None, user=user)


@logged_refusals("user.password_set")
def set_password(*, actor, user: User, password: str | None) -> None:
    """An administrator sets a user's password (None: no password login); the ledger says it
    happened, never what it is."""
    _check_administrator(actor)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        ledger.append(actor=actor, action="user.password_set", subject=user, payload={"user": user.username})


def _team_payload(team: Team) -> dict:
    return {"name": team.name}


@logged_refusals("team.save")
def save_team(*, actor, team: Team) -> Team:
    _check_administrator(actor)
    with transaction.atomic():
        created = team.pk is None
        before = None if created else _team_payload(Team.objects.select_for_update().get(pk=team.pk))
        team.save()
        ledger.append(actor=actor, action="team.created" if created else "team.changed", subject=team,
                      payload={"after": _team_payload(team), **({} if created else {"before": before})})
    return team


@logged_refusals("team.delete")
def delete_team(*, actor, team: Team) -> None:
    """Delete a team; its members are left without one (recorded, since dual control reads teams)."""
    _check_administrator(actor)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        members = sorted(team.members.values_list("username", flat=True))
        ledger.append(actor=actor, action="team.deleted", subject=team,
                      payload={**_team_payload(team), "members": members})
        team.delete()


@logged_refusals("api_token.change")
def update_token(*, actor, token: ApiToken, name: str, revoked_at=None) -> ApiToken:
    """Rename or revoke a token. A revoked token stays revoked (a new one is issued instead)."""
    _check_administrator(actor)
    with transaction.atomic():
        current = ApiToken.objects.select_for_update().get(pk=token.pk)
        if current.revoked_at is not None and revoked_at is None:
            raise ValidationError({"revoked_at": "A revoked token stays revoked; issue a new token instead."})
        if not name.strip():
            raise ValidationError({"name": "A token needs a name."})
        before = {"name": current.name, "revoked_at": current.revoked_at}
        current.name = name
        if current.revoked_at is None and revoked_at is not None:
            current.revoked_at = min(revoked_at, timezone.now())
        current.save(update_fields=["name", "revoked_at"])
        ledger.append(actor=actor, action="api_token.changed", subject=current, payload={
            "user": current.user.username, "prefix": current.prefix, "before": before,
            "after": {"name": current.name, "revoked_at": current.revoked_at}})
    return current


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _pipeline_services(user, service_ids) -> list:
    """The services a pipeline token is scoped to: only an administrator issues one, naming at least one
    existing service (a token scoped to nothing could gate nothing)."""
    if not has_role(user, Role.ADMINISTRATOR):
        raise PermissionDenied("Only an administrator issues pipeline tokens.")
    try:
        ids = {int(pk) for pk in service_ids}
    except (TypeError, ValueError):
        raise ValidationError({"services": ["Name the services by id."]}) from None
    services = list(ApiToken.services.field.related_model.objects.filter(pk__in=ids))
    if not ids or len(services) != len(ids):
        raise ValidationError({"services": ["Name at least one existing service for a pipeline token."]})
    return services


def issue_token(*, user, name: str, kind: str = TokenKind.PERSONAL, service_ids=()) -> tuple[ApiToken, str]:
    """Create a token; the returned plain text is shown once and never stored. A pipeline token
    (administrators only) is scoped to `service_ids` and may call only the pipeline gate."""
    if kind not in TokenKind.values:
        raise ValidationError({"kind": [f"Unknown token kind {kind!r}: personal or pipeline."]})
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": ["Give the token a name of 1-100 characters, e.g. the client that uses it."]})
    services = _pipeline_services(user, list(service_ids)) if kind == TokenKind.PIPELINE else []
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plain = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100] or "API token", prefix=prefix,
                                        key_hash=hash_secret(plain), kind=kind)
        payload = {"name": token.name, "prefix": prefix}
        if services:
            token.services.set(services)
            payload.update(kind=kind, services=sorted(service.name for service in services))
        ledger.append(actor=user, action="api_token.issued", subject=token, payload=payload)
    return token, plain


def revoke_token(*, token_id: int, actor) -> None:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id, user=actor)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            ledger.append(actor=actor, action="api_token.revoked", subject=token, payload={"prefix": token.prefix})
