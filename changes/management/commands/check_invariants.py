"""`manage.py check_invariants`: run every rule of changes.invariants on the live database.

Prints one line per violation (change reference, rule, message, POLICY reference) and exits 1 when
there is any, 0 when every change keeps every rule and the ledger verifies. Read-only.
"""
import sys

from django.core.management.base import BaseCommand

from changes import invariants


class Command(BaseCommand):
    help = "Check that every change satisfies every invariant of changes.invariants; exit 1 on any violation."

    def add_arguments(self, parser):
        parser.add_argument("--change", type=int, action="append", metavar="ID",
                            help="check only this change id (repeatable); the ledger is verified anyway")
        parser.add_argument("--list", dest="list_rules", action="store_true",
                            help="list the rules and their POLICY references")

    def handle(self, *args, change=None, list_rules=False, **options):
        if list_rules:
            for name, ref, summary in invariants.catalogue():
                self.stdout.write(f"{name}  ({ref})\n    {summary}")
            return
        found = invariants.check_all(change)
        for violation in found:
            self.stdout.write(str(violation))
        if found:
            self.stderr.write(f"{len(found)} invariant violation(s)")
            sys.exit(1)
        self.stdout.write(f"all {len(invariants.RULES) + 1} invariants hold")
