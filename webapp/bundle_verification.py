"""Checking a posted proof bundle on the server (oracle/bundle.py holds the checks).

With a chain configured (a deployment file), every check of `oracle.bundle.verify_bundle` runs against the
chain, trusting only this server's deployment: its CarbonLedger address, on the chain its RPC endpoint serves.
Without one, the only root to compare with is this server's own log, and the check's detail says so: such a
result shows the bundle agrees with this server, not that the record is anchored.
"""

from __future__ import annotations

from ledger.errors import LedgerError
from ledger.hasher import hash_leaf
from ledger.log import TreeHead
from oracle.bundle import CheckResult, ProofBundle, check_signed_note, offline_checks, root_check, verify_bundle
from webapp.checkpoints_access import chain_config
from webapp.error_responses import error_text
from webapp.ledger_access import current_log

LOCAL_ROOT_SOURCE = "this explorer's own log (no chain configured)"


def verify_posted_bundle(bundle: ProofBundle) -> list[CheckResult]:
    chain = chain_config()
    if chain is not None:
        return verify_bundle(bundle, chain.web3(), trusted_contract=chain.ledger_address)
    return [
        *offline_checks(bundle, hash_leaf(bundle.entry)),
        _local_root_check(bundle.tree_head),
        check_signed_note(bundle),
    ]


def _local_root_check(head: TreeHead) -> CheckResult:
    log = current_log()
    if head.origin != log.origin:
        reason = f"this explorer serves the log {log.origin!r}, not {head.origin!r}"
        return CheckResult("trusted_root", "fail", f"no trusted root for this tree head: {reason}")
    try:
        local_root = log.tree_head(head.tree_size).root_hash
    except LedgerError as error:
        return CheckResult("trusted_root", "fail", f"no trusted root for this tree head: {error_text(error)}")
    return root_check(head, local_root, LOCAL_ROOT_SOURCE)
