"""Retention per record kind (POLICY §9, issue 11 §8): what expired is purged daily, leaving a tombstone
and a ledger entry; a legal hold on a change stops it; the ledger itself is never purged."""
