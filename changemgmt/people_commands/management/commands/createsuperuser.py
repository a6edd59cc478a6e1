"""`manage.py createsuperuser`: Django's command (its prompts, checks and `--noinput` with
DJANGO_SUPERUSER_PASSWORD), with the account written by changemgmt.people_services.create_superuser, so
it has its `user.created` ledger entry and history row like one added in the admin."""
from django.contrib.auth.management.commands import createsuperuser

from changemgmt import people_services


class _Manager:
    """The user manager as the parent command reaches it (`_default_manager.db_manager(database)`):
    every look-up is the manager's; `create_superuser` is the people service's."""

    def __init__(self, manager):
        self._manager = manager

    def db_manager(self, *args, **kwargs):
        return _Manager(self._manager.db_manager(*args, **kwargs))

    def create_superuser(self, **user_data):
        return people_services.create_superuser(**user_data)

    def __getattr__(self, name):
        return getattr(self._manager, name)


class _UserModel:
    """The user model, but with the manager above."""

    def __init__(self, model):
        self._model = model
        self._default_manager = _Manager(model._default_manager)

    def __call__(self, *args, **kwargs):
        return self._model(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._model, name)


class Command(createsuperuser.Command):
    help = "Create an administrator through the people service (recorded in the audit ledger)."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.UserModel = _UserModel(self.UserModel)
