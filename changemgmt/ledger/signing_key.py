"""The organisation's Ed25519 signing key: it signs ledger checkpoints (and, later, deploy
attestations), and anyone holding only its public key can check those signatures. Keys retired by a
rotation (changemgmt.ledger.rotation) keep only their public half, in the PEM bundle named by
LEDGER_RETIRED_PUBLIC_KEYS_FILE, so what they signed keeps verifying.

The private key is a PEM file named by LEDGER_SIGNING_KEY_FILE (`manage.py ledger keygen` writes
one). Production refuses to start without the setting; with LEDGER_SIGNING_KEY_AUTOGENERATE
(development and tests) a missing file is generated on first use. The public key is printed by
`manage.py ledger public-key` and served at /.well-known/changemgmt-ledger-key.pem (followed there by
the retired keys). A system check
(run by `manage.py check`, `migrate` and `runserver`) refuses a key file that is missing or not an
Ed25519 private key, or a retired-keys bundle that is unreadable, so a misconfigured server stops
before it serves.
"""
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from changemgmt.ledger.verifier import UsageError, key_id_of, load_public_keys

ALGORITHM = "ed25519"
_cache: dict[tuple[str, int], Ed25519PrivateKey | list[Ed25519PublicKey]] = {}


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def write_new_key(path: str | Path) -> None:
    """Write a fresh private key, readable by its owner only, and never overwrite an existing file
    (FileExistsError). The key is written to a temporary file and hard-linked into place, so two
    processes generating at once share the first one's complete key and never read half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ledger-key-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(new_private_key_pem())
        os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _load(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(f"LEDGER_SIGNING_KEY_FILE {str(path)!r} is not a readable, unencrypted "
                                   f"PEM private key: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"LEDGER_SIGNING_KEY_FILE {str(path)!r} holds a {type(key).__name__}, "
                                   "not an Ed25519 key")
    return key


def private_key() -> Ed25519PrivateKey:
    path = Path(settings.LEDGER_SIGNING_KEY_FILE)
    if not path.exists() and settings.LEDGER_SIGNING_KEY_AUTOGENERATE:
        try:
            write_new_key(path)
        except FileExistsError:
            pass
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise ImproperlyConfigured(f"LEDGER_SIGNING_KEY_FILE {str(path)!r} cannot be read: {error}") from error
    key = _cache.get((str(path), stamp))
    if key is None:
        key = _cache[(str(path), stamp)] = _load(path)
    return key


def pem_of(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def public_key_pem() -> str:
    return pem_of(private_key().public_key())


def retired_public_keys() -> list[Ed25519PublicKey]:
    """The public keys of retired signing keys, oldest first: none without the setting, or while its
    file does not exist yet (no rotation so far)."""
    if not settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE:
        return []
    path = Path(settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE)
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return []
    except OSError as error:
        raise ImproperlyConfigured(f"LEDGER_RETIRED_PUBLIC_KEYS_FILE {str(path)!r} cannot be read: {error}") from error
    keys = _cache.get((str(path), stamp))
    if keys is None:
        try:
            keys = _cache[(str(path), stamp)] = load_public_keys(path.read_bytes())
        except (OSError, UsageError) as error:
            raise ImproperlyConfigured(f"LEDGER_RETIRED_PUBLIC_KEYS_FILE {str(path)!r}: {error}") from error
    return keys


def verification_keys() -> list[Ed25519PublicKey]:
    """Every key a stored checkpoint may be signed with: the current one first, then the retired ones."""
    return [private_key().public_key(), *retired_public_keys()]


def public_keys_pem() -> str:
    """The current public key, then every retired one: one PEM bundle whose first block is the current
    key, so a reader that takes the first key (the well-known URL's format before rotation) still
    gets the current one."""
    return "".join(pem_of(key) for key in verification_keys())


def retire_current_key() -> str:
    """Append the current public key to LEDGER_RETIRED_PUBLIC_KEYS_FILE (with a line naming it, which
    PEM readers skip) and return its key id. The private key itself is the caller's to replace."""
    if not settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE:
        raise ImproperlyConfigured("set LEDGER_RETIRED_PUBLIC_KEYS_FILE before rotating: the retired public key is "
                                   "kept there so the checkpoints it signed keep verifying")
    retired = key_id()
    path = Path(settings.LEDGER_RETIRED_PUBLIC_KEYS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as bundle:
        bundle.write(f"key_id {retired}, retired {timezone.now():%Y-%m-%dT%H:%M:%SZ}\n{public_key_pem()}")
    return retired


def key_id() -> str:
    """Names the key pair in what it signs: the first 16 hex digits of SHA-256 over the raw public key."""
    return key_id_of(private_key().public_key().public_bytes(serialization.Encoding.Raw,
                                                              serialization.PublicFormat.Raw))


def sign(message: bytes) -> str:
    """Hex of the 64-byte Ed25519 signature."""
    return private_key().sign(message).hex()


@checks.register(checks.Tags.security)
def check_retired_keys(app_configs=None, **kwargs):
    try:
        retired_public_keys()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="it holds the PEM public keys `manage.py ledger rotate-key` retired",
                             id="changemgmt.E002")]
    return []


@checks.register(checks.Tags.security)
def check_signing_key(app_configs=None, **kwargs):
    if settings.LEDGER_SIGNING_KEY_AUTOGENERATE:
        return []
    try:
        private_key()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), hint="create one with: manage.py ledger keygen --output FILE",
                             id="changemgmt.E001")]
    return []
