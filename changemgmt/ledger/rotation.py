"""Rotating the ledger's signing key (`manage.py ledger rotate-key`).

The old key signs a last checkpoint of the verified head, its public half is appended to
LEDGER_RETIRED_PUBLIC_KEYS_FILE (so every checkpoint it signed keeps verifying, in the database
and for auditors, who get it from the well-known key URL), its private file is moved aside as
`<LEDGER_SIGNING_KEY_FILE>.retired-<key id>` for the operator to destroy, a new key is written in its
place, and the new key signs a first checkpoint of the same head. Running processes pick the new
key up on their next signature (the key file is re-read when it changes).
"""
import os
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from changemgmt.ledger import audit, signing_key
from changemgmt.ledger.models import LedgerCheckpoint


class Rotation(NamedTuple):
    last_by_retired: LedgerCheckpoint
    first_by_new: LedgerCheckpoint
    retired_key_id: str
    retired_private_file: Path


def rotate_key() -> Rotation:
    """Refused, changing nothing, when the chain does not verify (audit.LedgerBroken), when it is empty
    (audit.LedgerEmpty: no head to pin; generate a key with keygen instead), when
    LEDGER_RETIRED_PUBLIC_KEYS_FILE is not set, or when a retired private file is already in the way."""
    if not settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE:
        raise ImproperlyConfigured("set LEDGER_RETIRED_PUBLIC_KEYS_FILE before rotating: the retired public key is "
                                   "kept there so the checkpoints it signed keep verifying")
    path = Path(settings.LEDGER_SIGNING_KEY_FILE)
    aside = path.with_name(f"{path.name}.retired-{signing_key.key_id()}")
    if aside.exists():
        raise FileExistsError(f"{aside} exists; not overwriting a retired key")
    last = audit.create_checkpoint()
    retired = signing_key.retire_current_key()
    os.rename(path, aside)
    signing_key.write_new_key(path)
    return Rotation(last, audit.create_checkpoint(), retired, aside)
