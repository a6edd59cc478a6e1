"""The ledger's API: tree heads and Merkle proofs for auditors."""
