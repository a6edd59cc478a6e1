"""The audit ledger's Merkle tree (RFC 9162): stored perfect subtrees, and signed tree heads."""
from django.db import models


class MerkleNode(models.Model):
    """The root of one perfect subtree of the ledger's Merkle tree: 2^level leaves starting at leaf
    index * 2^level (level 0 rows are the leaf hashes). Written in the transaction of each ledger
    append (changemgmt.merkle_store.add_leaf), one leaf row plus one row per subtree the leaf
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
