"""People: users, their team and their manager (escalations and dual control need both).

Users, their roles (group membership) and teams keep a history, since they are the inputs to
separation of duties; every write goes through changemgmt.people_services, which also records it
in the ledger."""
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from simple_history.models import HistoricalRecords


class PeopleHistory(HistoricalRecords):
    """History that skips the bookkeeping saves of a login (`last_login`) and of a password change
    (credentials are never copied into history; the change itself is in the ledger)."""

    QUIET_FIELDS = frozenset({"last_login", "password"})

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= self.QUIET_FIELDS:
            return
        super().post_save(instance, created, using=using, **kwargs)


class PeopleManager(UserManager):
    """Django's user manager, left out of migrations: a data migration must not reach the services
    through a historical model. Its `create_user` and `create_superuser` stay Django's plain writes for
    test fixtures and benchmarks; no application module calls them (tests/kernel/test_people_commands.py
    keeps it so): `manage.py createsuperuser` (changemgmt.people_commands) and any script creating an
    administrator go through `changemgmt.people_services.create_superuser`."""

    use_in_migrations = False


class Team(models.Model):
    """A team of engineers; dual control asks for an approver from outside the author's team."""

    name = models.CharField(max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person. Roles are groups (see changemgmt.roles)."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    history = PeopleHistory(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    objects = PeopleManager()

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_full_name() or self.username
