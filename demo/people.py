"""People, teams, the CAB board and the service catalog, each get-or-created through its service
(changemgmt.people_services, cab.services.board, changes.catalog_services), so every row is in the row
history and the ledger, and loading twice writes nothing more."""
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from cab.models import BoardMember
from cab.services import board
from changemgmt import people_services
from changemgmt.models import Team, User
from changemgmt.roles import Role
from changes import catalog_services
from changes.models import Service, StandardTemplate
from demo.data import BOARD, DEMO_PASSWORD, LOW_SCORES, PEOPLE, SERVICES, TEMPLATES


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

