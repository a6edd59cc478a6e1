"""`manage.py demo`: load the demo data (idempotent) and print the demo logins."""
from django.core.management.base import BaseCommand

from changemgmt.roles import roles_of
from changes import demo


class Command(BaseCommand):
    help = ("Create demo people for every role, teams, services, the standard catalog and ~50 changes in every "
            "state (only into a database without changes), then print the demo logins.")

    def handle(self, *args, **options):
        summary = demo.seed()
        if summary.created:
            spread = ", ".join(f"{state} {count}" for state, count in summary.states.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {spread}."))
        else:
            self.stdout.write("The database already has changes: demo people and catalog checked, no changes added.")
        self.stdout.write("\nDemo logins (password for all: " + self.style.WARNING(demo.DEMO_PASSWORD) + ")")
        width = max(len(user.username) for user in summary.users)
        for user in summary.users:
            roles = ", ".join(sorted(roles_of(user))) or "-"
            team = user.team.name if user.team_id else "-"
            self.stdout.write(f"  {user.username:<{width}}  {roles}  ({team})")
