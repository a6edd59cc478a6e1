"""`manage.py demo`: load the demo data (idempotent) and print the demo logins."""
from django.core.management.base import BaseCommand

from changemgmt.roles import roles_of
from demo import loader
from demo.data import DEMO_PASSWORD


class Command(BaseCommand):
    help = ("Create demo people for every role, teams, the CAB board, services, the standard catalog, ~50 changes "
            "in every state (a few in conflict) and the next CAB meeting with its agenda (only into a database "
            "without changes), then print the demo logins.")

    def handle(self, *args, **options):
        summary = loader.seed()
        if summary.created:
            spread = ", ".join(f"{state} {count}" for state, count in summary.states.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {spread}."))
            if summary.next_meeting is not None:
                self.stdout.write(f"Next CAB meeting, with its agenda: {summary.next_meeting.title} "
                                  f"(/cab/meetings/{summary.next_meeting.pk}/).")
        else:
            self.stdout.write("The database already has changes: demo people and catalog checked, no changes added.")
        self.stdout.write("\nDemo logins (password for all: " + self.style.WARNING(DEMO_PASSWORD) + ")")
        width = max(len(user.username) for user in summary.users)
        for user in summary.users:
            roles = ", ".join(sorted(roles_of(user))) or "-"
            team = user.team.name if user.team_id else "-"
            self.stdout.write(f"  {user.username:<{width}}  {roles}  ({team})")
