"""`manage.py policy export [--format json|yaml] [--output FILE]` writes the policy pack;
`manage.py policy import FILE [--dry-run] [--as USERNAME]` prints the diff and the dry run over open
changes, then imports it all or nothing (the same write path as the page and the API: one
`policy.imported` ledger entry, by `system` or the named administrator). A refused pack exits 1,
naming every problem, and writes nothing."""
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from changemgmt import policy_pack
from changemgmt.errors import Conflict
from changemgmt.models import User
from changes.policypack import selectors


class Command(BaseCommand):
    help = "Export or import the policy as a versioned pack (JSON or YAML)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        export = commands.add_parser("export")
        export.add_argument("--format", choices=["json", "yaml"], default="json")
        export.add_argument("--output", help="File to write (default: standard output)")
        imported = commands.add_parser("import")
        imported.add_argument("file")
        imported.add_argument("--dry-run", action="store_true", help="Print the diff and the dry run, write nothing")
        imported.add_argument("--as", dest="username", help="The administrator importing (default: system)")

    def handle(self, *args, action, **options):
        if action == "export":
            text = policy_pack.dumps(policy_pack.export_pack(), options["format"])
            if options["output"]:
                Path(options["output"]).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        self._import(options)

    def _import(self, options):
        try:
            settings = policy_pack.parse_text(Path(options["file"]).read_text(encoding="utf-8"))
        except OSError as problem:
            raise CommandError(f"Cannot read {options['file']}: {problem}") from problem
        except ValidationError as refusal:
            raise CommandError(_messages(refusal)) from refusal
        preview = selectors.preview(settings)
        for row in preview.diff:
            self.stdout.write(f"{row['key']}: {json.dumps(row['from'])} -> {json.dumps(row['to'])}")
        if not preview.diff:
            self.stdout.write("Nothing differs from the policy in force.")
        if preview.problems:
            raise CommandError("Refused, nothing imported:\n" + "\n".join(preview.problems))
        run = preview.dry_run
        self.stdout.write(f"Dry run over {run.open_changes} open changes: {len(run.needing_more_approvals)} would "
                          f"need more approvals, {len(run.outside_windows)} would fall outside windows or lead "
                          f"time, {len(run.held)} would be held.")
        for effect in run.effects:
            self.stdout.write(f"  {effect.reference} ({effect.state}): " + "; ".join(
                part for part in [
                    f"more approvals: {', '.join(effect.more_approvals)}" if effect.more_approvals else "",
                    " ".join(effect.outside_schedule), " ".join(effect.held)] if part))
        if options["dry_run"] or not preview.diff:
            return
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"No user {options['username']!r}.")
        try:
            changed = policy_pack.import_pack(settings=settings, actor=actor, source="manage.py",
                                              expected_revision=preview.revision)
        except ValidationError as refusal:
            raise CommandError(_messages(refusal)) from refusal
        except (Conflict, PermissionDenied) as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(self.style.SUCCESS(f"Imported: {len(changed)} setting(s) changed."))


def _messages(refusal: ValidationError) -> str:
    return "\n".join(f"{field}: {message}" for field, items in refusal.message_dict.items() for message in items)
