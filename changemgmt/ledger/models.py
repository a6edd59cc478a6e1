"""The append-only, hash-chained audit ledger and its signed checkpoints (app label `changemgmt`,
re-exported by changemgmt.models, so the tables and migrations are the kernel's as before)."""
from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class LedgerEntry(models.Model):
    """One audited action. `entry_hash` = SHA-256 over the previous hash and this entry's canonical
    JSON (see changemgmt.ledger.services and the README). Unique `seq` and unique `prev_hash` make a fork
    fail loudly; database triggers refuse UPDATE and DELETE."""

    seq = models.BigIntegerField(unique=True)
    recorded_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    subject = models.CharField(max_length=120, help_text="app.model:pk of what the action touched")
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, unique=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "ledger entries"
        indexes = [
            # The change page's timeline: entries about one subject, in order.
            models.Index(fields=["subject", "seq"], name="ledger_subject_seq"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Ledger entries are append-only")


class LedgerCheckpoint(models.Model):
    """A signed statement of the chain's head (sequence and hash) that an auditor keeps. Signed with
    the Ed25519 key of changemgmt.ledger.signing_key, or by a key since retired (`key_id` names it);
    rows from before Ed25519 (HMAC-SHA256 with a shared secret) keep algorithm "hmac-sha256" and are
    no longer checked (see the README's ledger section)."""

    ED25519 = "ed25519"
    LEGACY_HMAC = "hmac-sha256"

    seq = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    algorithm = models.CharField(max_length=20, default=ED25519)
    key_id = models.CharField(max_length=16, blank=True, help_text="which signing key: SHA-256 of its public key")
    signature = models.CharField(max_length=128, help_text="hex Ed25519 signature of the checkpoint message")

    class Meta:
        ordering = ["-seq"]

    def __str__(self):
        return f"checkpoint #{self.seq}"

class MerkleNode(models.Model):
    """The root of one perfect subtree of the ledger's Merkle tree: 2^level leaves starting at leaf
    index * 2^level (level 0 rows are the leaf hashes). Written in the transaction of each ledger
    append (changemgmt.ledger.merkle_store.add_leaf), one leaf row plus one row per subtree the leaf
    completes; any proof then needs O(log n) of them. Derived data: `manage.py merkle backfill`
    writes whatever is missing, and a wrong row only makes proofs fail against signed tree heads."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64, help_text="lowercase hex SHA-256")

    class Meta:
        ordering = ["level", "index"]
        constraints = [
            # Also the index every proof and append lookup uses: (level, index) pairs.
            models.UniqueConstraint(fields=["level", "index"], name="merkle_node_position"),
        ]

    def __str__(self):
        return f"merkle node {self.level}/{self.index}"


class TreeHead(models.Model):
    """A signed tree head (RFC 9162 §4.10 in JSON): the root of the first `tree_size` ledger entries
    at `timestamp`, Ed25519-signed by the instance key (changemgmt.signing_key). Auditors keep them
    and check later heads extend them with consistency proofs; each signing is itself a ledger entry."""

    tree_size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    timestamp = models.BigIntegerField(help_text="milliseconds since the Unix epoch, as in RFC 9162")
    algorithm = models.CharField(max_length=20, default="ed25519")
    key_id = models.CharField(max_length=16, help_text="which signing key: SHA-256 of its public key")
    signature = models.CharField(max_length=128, help_text="hex Ed25519 signature of the tree head message")

    class Meta:
        ordering = ["-tree_size"]
        constraints = [
            # Each signing appends a ledger entry, so two heads never share a size; also the latest-head lookup.
            models.UniqueConstraint(fields=["tree_size"], name="tree_head_size_unique"),
        ]

    def __str__(self):
        return f"tree head {self.tree_size}"
