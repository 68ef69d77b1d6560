"""`carbonledger deploy | anchor | audit | status`: contracts on chain, checkpoints anchored, agreement checked."""

from __future__ import annotations

import argparse
import json
import logging
import time
from typing import Any

from oracle.anvil import ChainError
from oracle.audit import ReconciliationError, audit
from oracle.commands.options import add_runtime_options, runtime_of
from oracle.deployer import ensure_deployed
from oracle.eip712 import log_id
from oracle.pipeline import BatchPolicy
from oracle.pipeline_store import CheckpointState

logger = logging.getLogger(__name__)


def _emit(arguments: argparse.Namespace, document: dict[str, Any], lines: list[str]) -> None:
    print(json.dumps(document, indent=2) if arguments.json else "\n".join(lines))


def _deploy(arguments: argparse.Namespace) -> int:
    outcome = ensure_deployed(runtime_of(arguments), redeploy=arguments.redeploy)
    document = outcome.deployment.to_json()
    lines = [("deployed" if outcome.created else "already deployed") + f" on chain {outcome.deployment.chain_id}"]
    lines += [f"  {name:<20} {contract.address}" for name, contract in outcome.deployment.contracts.items()]
    _emit(arguments, document, lines)
    return 0


def _anchor(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    oracle = runtime.oracle(BatchPolicy(arguments.batch_records, arguments.batch_seconds))
    oracle.start()
    while True:
        try:
            rows = oracle.run_once(force=not arguments.follow)
        except (ChainError, OSError) as error:
            # Following, a pass that fails for want of the node (or of a receipt) is tried again; a database
            # that disagrees with the chain stops the oracle.
            if not arguments.follow or isinstance(error, ReconciliationError):
                raise
            logger.warning("pass failed: %s; trying again in %.1f s", error, arguments.poll_seconds)
            time.sleep(arguments.poll_seconds)
            continue
        anchored = [row for row in rows if row.state is CheckpointState.ANCHORED]
        latest = anchored[-1] if anchored else None
        document = {"origin": runtime.origin, "anchored_tree_size": latest.tree_size if latest else 0,
                    "checkpoints": len(rows), "note": latest.note if latest else None}
        _emit(arguments, document, [f"{runtime.origin}: anchored at size {document['anchored_tree_size']}"]
              + ([latest.note] if latest and latest.note else []))
        if not arguments.follow:
            return 0
        time.sleep(arguments.poll_seconds)


def _audit(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    report = audit(runtime.log, runtime.store, runtime.w3, runtime.contract("CarbonLedger"), full=not arguments.quick,
                   accounts=runtime.contract("CarbonAccounts"), from_block=runtime.deployment.block_number)
    _emit(arguments, report.__dict__, [
        f"{report.origin}: log size {report.tree_size}, chain head {report.chain_tree_size}, "
        f"{report.anchored_checkpoints} anchored checkpoints ({report.checkpoints_in_progress} in progress), "
        f"{report.records_checked} records, {report.anchor_events_checked} anchor events and "
        f"{report.postings_checked} postings checked: all agree"
    ])
    return 0


def _status(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    head = runtime.log.tree_head()
    rows = runtime.store.checkpoints(runtime.origin)
    counts = {state.value: sum(row.state is state for row in rows) for state in CheckpointState}
    chain_size = runtime.contract("CarbonLedger").functions.latestHead(log_id(runtime.origin)).call()[0]
    document = {"origin": runtime.origin, "tree_size": head.tree_size, "root_hash": head.root_hash.hex(),
                "chain_tree_size": chain_size, "checkpoints": counts}
    _emit(arguments, document, [f"{runtime.origin}: {head.tree_size} records, root {head.root_hash.hex()}",
                                f"chain head at size {chain_size}; checkpoints {counts}"])
    return 0


def register(subparsers: Any) -> None:
    deploy = subparsers.add_parser("deploy", help="deploy the contracts (once) and give the oracle its role")
    add_runtime_options(deploy)
    deploy.add_argument("--redeploy", action="store_true", help="deploy anew even if a deployment file exists")
    deploy.set_defaults(handler=_deploy)

    anchor = subparsers.add_parser("anchor", help="checkpoint, sign and anchor the log; post account totals")
    add_runtime_options(anchor)
    anchor.add_argument("--follow", action="store_true", help="keep running, closing batches by size or time")
    anchor.add_argument("--batch-records", type=int, default=10_000, help="close a batch at this many records")
    anchor.add_argument("--batch-seconds", type=float, default=60.0, help="or when it is this old")
    anchor.add_argument("--poll-seconds", type=float, default=2.0, help="with --follow: pause between passes")
    anchor.set_defaults(handler=_anchor)

    audit_parser = subparsers.add_parser("audit", help="check that database, log and chain agree")
    add_runtime_options(audit_parser)
    audit_parser.add_argument("--quick", action="store_true", help="skip re-reading every record")
    audit_parser.set_defaults(handler=_audit)

    status = subparsers.add_parser("status", help="log size, chain head and checkpoint states")
    add_runtime_options(status)
    status.set_defaults(handler=_status)
