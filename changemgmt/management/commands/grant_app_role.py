"""`manage.py grant_app_role ROLE`: give the application's database role its grants (see
changemgmt.db_roles). Run as the tables' owner, after `migrate`."""
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from changemgmt import db_roles


class Command(BaseCommand):
    help = "Grant the application role SELECT/INSERT/UPDATE/DELETE, and only SELECT/INSERT on the ledger."

    def add_arguments(self, parser):
        parser.add_argument("role")

    def handle(self, *args, role, **options):
        try:
            with transaction.atomic():
                statements = db_roles.grant_app_role(connection, role)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{role}: {len(statements)} grants applied")
