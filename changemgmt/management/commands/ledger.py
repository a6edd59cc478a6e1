"""`manage.py ledger verify|export|checkpoint|keygen|public-key|rotate-key`: the operator's and
auditor's handle on the ledger.

verify exits 1 naming the first broken entry, and names the key that signed each checkpoint; export
writes JSON Lines for the standalone verifier; checkpoint signs the verified head and prints the JSON
the auditor keeps; keygen writes a new Ed25519 private key (for LEDGER_SIGNING_KEY_FILE); public-key
prints the PEM an auditor verifies with (`--all`: with the retired keys); rotate-key replaces the
signing key, keeping the old public key in LEDGER_RETIRED_PUBLIC_KEYS_FILE (changemgmt.ledger.rotation).
"""
import json

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from changemgmt.ledger import audit as ledger_audit
from changemgmt.ledger import rotation, signing_key
from changemgmt.ledger.verifier import UsageError, load_checkpoint


class Command(BaseCommand):
    help = "Verify, export or checkpoint the hash-chained audit ledger."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True,
                                         metavar="{verify,export,checkpoint,keygen,public-key,rotate-key}")
        verify = commands.add_parser("verify", help="walk the chain; exit 1 naming the first broken entry")
        verify.add_argument("--checkpoint", action="append", default=[], metavar="FILE",
                            help="also check against a checkpoint JSON kept by an auditor (repeatable)")
        verify.add_argument("--batch-size", type=int, default=ledger_audit.BATCH_SIZE)
        export = commands.add_parser("export", help="write the ledger as JSON Lines")
        export.add_argument("--output", metavar="FILE", help="file to write (default: standard output)")
        commands.add_parser("checkpoint", help="sign the verified head and print the checkpoint JSON")
        keygen = commands.add_parser("keygen", help="write a new Ed25519 private key (PEM, mode 0600)")
        keygen.add_argument("--output", metavar="FILE", required=True,
                            help="where to write it; point LEDGER_SIGNING_KEY_FILE at it")
        keygen.add_argument("--if-missing", action="store_true",
                            help="do nothing if FILE exists (first start-up of a container)")
        public = commands.add_parser("public-key", help="print the signing key's public key (PEM) for auditors")
        public.add_argument("--all", dest="with_retired", action="store_true",
                            help="then every retired public key too (what the well-known key URL serves)")
        commands.add_parser("rotate-key", help="sign the head with the old key, retire it (its public key kept in "
                                               "LEDGER_RETIRED_PUBLIC_KEYS_FILE), write a new key, sign again")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _verify(self, *, checkpoint, batch_size, **_):
        try:
            kept = [load_checkpoint(path) for path in checkpoint]
        except UsageError as error:
            raise CommandError(str(error), returncode=2) from error
        outcome = ledger_audit.verify_database(kept=kept, batch_size=batch_size)
        if not outcome.intact:
            raise CommandError(f"ledger BROKEN at {outcome.problem} ({outcome.entries} entries before it intact)")
        signed = ledger_audit.signers(ledger_audit.stored_checkpoints() + kept)
        self.stdout.write(f"ledger intact: {outcome.entries} entries, head seq {outcome.head_seq} "
                          f"{outcome.head_hash}; {len(signed)} checkpoint(s) checked")
        current = signing_key.key_id()
        for document, signer in signed:
            which = "current key" if signer == current else "retired key"
            self.stdout.write(f"  checkpoint seq {document['seq']} signed at {document['signed_at']} "
                              f"by {which} {signer}")

    def _export(self, *, output, **_):
        if output is None:
            count = ledger_audit.write_export(self.stdout)
        else:
            with open(output, "w", encoding="utf-8", newline="\n") as stream:
                count = ledger_audit.write_export(stream)
            self.stderr.write(f"exported {count} entries to {output}")

    def _checkpoint(self, **_):
        try:
            checkpoint = ledger_audit.create_checkpoint()
        except ledger_audit.LedgerBroken as error:
            raise CommandError(f"not signing: ledger BROKEN at {error.problem}") from error
        except ledger_audit.LedgerEmpty as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(ledger_audit.checkpoint_document(checkpoint)))

    def _keygen(self, *, output, if_missing, **_):
        try:
            signing_key.write_new_key(output)
        except FileExistsError as error:
            if if_missing:
                return
            raise CommandError(f"{output} exists; not overwriting a signing key (move it away first)") from error
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error}") from error
        self.stderr.write(f"wrote a new Ed25519 private key to {output}; set LEDGER_SIGNING_KEY_FILE={output}")

    def _public_key(self, *, with_retired, **_):
        self.stdout.write(signing_key.public_keys_pem() if with_retired else signing_key.public_key_pem(), ending="")

    def _rotate_key(self, **_):
        try:
            done = rotation.rotate_key()
        except ledger_audit.LedgerBroken as error:
            raise CommandError(f"not rotating: ledger BROKEN at {error.problem}") from error
        except (ledger_audit.LedgerEmpty, ImproperlyConfigured, OSError) as error:
            raise CommandError(f"not rotating: {error}") from error
        self.stdout.write(json.dumps(ledger_audit.checkpoint_document(done.last_by_retired)))
        self.stdout.write(json.dumps(ledger_audit.checkpoint_document(done.first_by_new)))
        self.stderr.write(f"retired key {done.retired_key_id} (public key kept in LEDGER_RETIRED_PUBLIC_KEYS_FILE); "
                          f"new key {signing_key.key_id()}. Destroy {done.retired_private_file} once backed up "
                          "offline, and give auditors both checkpoints above and the keys from "
                          "/.well-known/changemgmt-ledger-key.pem.")
