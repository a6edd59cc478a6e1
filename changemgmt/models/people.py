"""People: users, their team and their manager (escalations and dual control need both).

Users, their roles (group membership) and teams keep a history, since they are the inputs to
separation of duties; every write goes through changemgmt.people_services, which also records it
in the ledger."""
from asgiref.sync import sync_to_async
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
    """Django's user manager, with `create_superuser` made a door to changemgmt.people_services:
    `manage.py createsuperuser` (and any script creating an administrator) writes the user through
    `save_user`, so the account has its `user.created` ledger entry and its history row like one added
    in the admin. `create_user` stays Django's plain write for test fixtures and benchmarks; no
    application module calls it (tests/kernel/test_people_commands.py keeps it so). Left out of migrations:
    a data migration must not reach the services through a historical model."""

    use_in_migrations = False

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        from changemgmt import people_services

        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields.get("is_staff") is not True or extra_fields.get("is_superuser") is not True:
            raise ValueError("Superuser must have is_staff=True and is_superuser=True.")
        user = self._create_user_object(username, email, password, **extra_fields)
        return people_services.save_user(actor=None, user=user)

    create_superuser.alters_data = True

    async def acreate_superuser(self, username, email=None, password=None, **extra_fields):
        return await sync_to_async(self.create_superuser)(username, email, password, **extra_fields)

    acreate_superuser.alters_data = True


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
