"""`manage.py changepassword [USERNAME]`: Django's command, with the new password set through
changemgmt.people_services.set_password, so the change is a `user.password_set` ledger entry (which
never holds the password) like one made in the admin. The prompts and checks are Django's."""
from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from changemgmt import people_services

MAX_TRIES = 3


class Command(changepassword.Command):
    help = "Change a user's password through the people service (recorded in the audit ledger)."

    def handle(self, *args, **options):
        username = options["username"] or changepassword.getpass.getuser()
        try:
            user = changepassword.UserModel._default_manager.using(options["database"]).get(
                **{changepassword.UserModel.USERNAME_FIELD: username})
        except changepassword.UserModel.DoesNotExist as exc:
            raise CommandError(f"user '{username}' does not exist") from exc
        self.stdout.write(f"Changing password for user '{user}'")
        for _attempt in range(MAX_TRIES):
            first = self._get_pass()
            if first != self._get_pass("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(first, user)
            except ValidationError as err:
                self.stderr.write("\n".join(err.messages))
                continue
            people_services.set_password(actor=None, user=user, password=first)
            return f"Password changed successfully for user '{user}'"
        raise CommandError(f"Aborting password change for user '{user}' after {MAX_TRIES} attempts")
