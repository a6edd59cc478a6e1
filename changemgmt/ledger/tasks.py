"""The beat job that signs a Merkle tree head (hourly by default, see migration 0015): only when
the ledger grew since the last head, so a quiet night does not fill the ledger with signings."""
import logging

from celery import shared_task

from changemgmt.ledger import tree_heads as merkle_heads

log = logging.getLogger(__name__)


@shared_task(name="changemgmt.sign_tree_head")
def sign_tree_head() -> int | None:
    """The signed tree size, or None when nothing was appended since the last head."""
    try:
        head = merkle_heads.sign_tree_head(only_if_grown=True)
    except merkle_heads.NothingToSign as reason:
        log.info("No tree head signed: %s", reason)
        return None
    return head.tree_size
