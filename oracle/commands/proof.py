"""`carbonledger proof CODE [-o FILE]` writes a record's proof bundle; `carbonledger verify BUNDLE` checks one.

`verify` trusts only the chain it reaches at --rpc-url, and the CarbonLedger address it is told (--contract,
or the deployment file in the state folder); with neither it uses the bundle's own address and says so. It
exits 1 naming every failed check.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from ledger.errors import BundleFormatError
from oracle.bundle import LEDGER_CONTRACT, ProofBundle, anchored_bundle, anchored_checkpoints, verify_bundle
from oracle.commands.options import add_runtime_options, runtime_of
from oracle.contracts import Deployment
from oracle.runtime import Runtime

EXIT_INVALID = 1
_MARKS = {"pass": "✔", "fail": "✘", "skip": "–"}


def _note_verifier_key(runtime: Runtime) -> str | None:
    # Checked first because loading would create a missing key; without one the oracle signed no notes here.
    if not (runtime.state_dir / "keys" / "checkpoint-ed25519.pem").is_file():
        return None
    return runtime.note_signer.verifier.key_string()


def _proof(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    deployment = Deployment.read(runtime.deployment_path)
    checkpoints = anchored_checkpoints(runtime.store, runtime.origin, deployment, _note_verifier_key(runtime))
    bundle = anchored_bundle(runtime.log, arguments.code, checkpoints[-1] if checkpoints else None)
    text = json.dumps(bundle.to_json(), indent=2, ensure_ascii=False) + "\n"
    if arguments.output is None:
        sys.stdout.write(text)
    else:
        Path(arguments.output).write_text(text, encoding="utf-8")
        print(f"wrote the proof bundle of leaf {bundle.leaf_index} at tree size {bundle.tree_head.tree_size} "
              f"to {arguments.output}", file=sys.stderr)
    return 0


def _read_bundle(path: str) -> ProofBundle:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BundleFormatError("bundle", f"cannot read {path}: {error}") from error
    return ProofBundle.from_json(document)


def _trusted_contract(arguments: argparse.Namespace) -> str | None:
    if arguments.contract:
        return str(arguments.contract)
    deployment_path = runtime_of(arguments).deployment_path
    if deployment_path.is_file():
        return Deployment.read(deployment_path).contracts[LEDGER_CONTRACT].address
    return None


def _verify(arguments: argparse.Namespace) -> int:
    bundle = _read_bundle(arguments.bundle)
    trusted_contract = _trusted_contract(arguments)
    checks = verify_bundle(bundle, runtime_of(arguments).w3, trusted_contract)
    failed = [check.check for check in checks if check.status == "fail"]
    if arguments.json:
        document: dict[str, Any] = {"valid": not failed, "rpc_url": arguments.rpc_url,
                                    "trusted_contract": trusted_contract, "checks": [c.to_json() for c in checks]}
        print(json.dumps(document, indent=2))
    else:
        print(f"checking against {arguments.rpc_url}, CarbonLedger "
              f"{trusted_contract or 'as the bundle names it (no trusted address given)'}")
        for check in checks:
            print(f"{_MARKS[check.status]} {check.check}: {check.detail}")
    if failed:
        print(f"carbonledger: the bundle does not verify; failed: {', '.join(failed)}", file=sys.stderr)
        return EXIT_INVALID
    return 0


def register(subparsers: Any) -> None:
    proof = subparsers.add_parser("proof", help="write the proof bundle of a record, anchored on chain")
    add_runtime_options(proof)
    proof.add_argument("code", help="the record's 3D code")
    proof.add_argument("-o", "--output", help="write the bundle to this file instead of standard output")
    proof.set_defaults(handler=_proof)

    verify = subparsers.add_parser("verify", help="check a proof bundle against the chain")
    add_runtime_options(verify)
    verify.add_argument("bundle", help="the proof bundle (JSON file)")
    verify.add_argument("--contract", default=os.environ.get("CARBONLEDGER_CONTRACT"),
                        help="the CarbonLedger address to trust [CARBONLEDGER_CONTRACT]; "
                             "default: the one in the state folder's deployment file")
    verify.set_defaults(handler=_verify)
