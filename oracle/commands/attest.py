"""`carbonledger evidence | attest`: the verifier's side of an account-year's verification.

`evidence ACCOUNT YEAR` writes the evidence pack (oracle/evidence.py): the records, their inclusion proofs and
the anchored checkpoint they are proved against. `attest ACCOUNT YEAR ...` signs the EIP-712 attestation of
the inventory as of the latest anchored checkpoint with a keystore key and writes the signed document
(oracle/attest.py), which anyone may relay, e.g. through the explorer's POST /api/v1/attestations; with
--submit it relays the document itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from ledger.errors import NoAnchoredCheckpointError
from oracle.attest import AttestationRelay, SignedAttestation, report_hash
from oracle.chain import RevertDecoder
from oracle.chain_ids import account_id
from oracle.commands.options import add_runtime_options, runtime_of
from oracle.contracts import Deployment
from oracle.eip712 import (
    AssuranceLevel,
    AttestationMessage,
    Opinion,
    SigningDomain,
    log_id,
)
from oracle.evidence import evidence_pack

OPINIONS = {opinion.name.lower(): opinion for opinion in Opinion}
ASSURANCE_LEVELS = {level.name.lower(): level for level in AssuranceLevel}


def year_argument(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 9999:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (1..9999)")
    return int(text)


def _evidence(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    deployment = Deployment.read(runtime.deployment_path) if runtime.deployment_path.exists() else None
    pack = evidence_pack(runtime.log, runtime.store, arguments.account, arguments.year, deployment)
    out = Path(arguments.out or f"evidence-{arguments.account}-{arguments.year}.{arguments.format}")
    if arguments.format == "json":
        out.write_text(json.dumps(pack.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    else:
        out.write_bytes(pack.zip_bytes())
    print(f"{out}: {len(pack.records)} record(s) of {arguments.account} {arguments.year} proved against "
          f"checkpoint {pack.checkpoint.tree_size}; {pack.records_after_checkpoint} later record(s) left out")
    return 0


def _attest(arguments: argparse.Namespace) -> int:
    runtime = runtime_of(arguments)
    attestations = runtime.contract("CarbonAttestations")
    origin_id = log_id(runtime.origin)
    tree_size = arguments.tree_size
    if tree_size is None:
        tree_size = int(runtime.contract("CarbonLedger").functions.latestHead(origin_id).call()[0])
        if tree_size == 0:
            raise NoAnchoredCheckpointError(f"no checkpoint of log {runtime.origin!r} is anchored on chain yet")
    verifier = runtime.account(arguments.key)
    message = AttestationMessage(
        account_id=account_id(arguments.account),
        year=arguments.year,
        log_id=origin_id,
        tree_size=tree_size,
        assurance_level=ASSURANCE_LEVELS[arguments.assurance],
        materiality_bps=arguments.materiality_bps,
        opinion=OPINIONS[arguments.opinion],
        report_hash=report_hash(Path(arguments.report)),
        supersedes=arguments.supersedes,
        nonce=int(attestations.functions.nonces(verifier.address).call()),
    )
    domain = SigningDomain(runtime.w3.eth.chain_id, attestations.address)
    signed = SignedAttestation.signed_by(bytes(verifier.key), arguments.account, domain, message)
    document = json.dumps(signed.to_json(), indent=2) + "\n"
    if arguments.out:
        Path(arguments.out).write_text(document, encoding="utf-8")
        print(f"signed attestation of {arguments.account} {arguments.year} by {verifier.address}: {arguments.out}",
              file=sys.stderr)
    else:
        sys.stdout.write(document)
    if arguments.submit:
        relay = AttestationRelay.of(runtime, domain.chain_id, RevertDecoder(list(runtime.abis.values())))
        relayed = relay.relay(signed, runtime.sender(arguments.relay_key or arguments.key))
        print(f"recorded as attestation {relayed.attestation_id} in transaction 0x{relayed.tx_hash.hex()}",
              file=sys.stderr)
    return 0


def register(subparsers: Any) -> None:
    evidence = subparsers.add_parser("evidence",
                                     help="write an account-year's evidence pack (records, proofs, checkpoint)")
    add_runtime_options(evidence)
    evidence.add_argument("account", metavar="ACCOUNT", help="account id, e.g. QZ0001 or QZ0001.F01")
    evidence.add_argument("year", metavar="YEAR", type=year_argument)
    evidence.add_argument("--format", choices=("zip", "json"), default="zip", help="a ZIP (default) or one JSON file")
    evidence.add_argument("--out", help="file to write [evidence-ACCOUNT-YEAR.zip]")
    evidence.set_defaults(handler=_evidence)

    attest = subparsers.add_parser("attest", help="sign a verifier's attestation of an account-year (EIP-712)")
    add_runtime_options(attest)
    attest.add_argument("account", metavar="ACCOUNT", help="account id, e.g. QZ0001")
    attest.add_argument("year", metavar="YEAR", type=year_argument)
    attest.add_argument("--opinion", choices=sorted(OPINIONS), required=True)
    attest.add_argument("--assurance", choices=sorted(ASSURANCE_LEVELS), required=True, help="level of assurance")
    attest.add_argument("--materiality-bps", type=int, default=500, help="materiality in basis points [500 = 5%%]")
    attest.add_argument("--report", required=True, help="the verification statement file; its SHA-256 is signed")
    attest.add_argument("--supersedes", type=int, default=0, help="id of the attestation this one replaces")
    attest.add_argument("--tree-size", type=int, help="the anchored checkpoint attested [the latest anchored]")
    label = os.environ.get("CARBONLEDGER_KEY_LABEL")
    attest.add_argument("--key", default=label, required=label is None,
                        help="keystore label of the verifier's key [CARBONLEDGER_KEY_LABEL]")
    attest.add_argument("--out", help="file to write the signed attestation to [standard output]")
    attest.add_argument("--submit", action="store_true", help="also relay it to CarbonAttestations")
    attest.add_argument("--relay-key", help="with --submit: keystore label of the key that pays [--key]")
    attest.set_defaults(handler=_attest)
