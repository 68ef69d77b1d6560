"""Deploying the contracts for a ledger: keys, funds on the embedded chain, contracts, the oracle's role.

Idempotent: keys that exist are kept, a deployment whose contracts are on the chain is reused, and roles
already held are not granted again. A deployment file whose contracts are gone means the chain was reset;
that is an error unless a fresh deployment is asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from web3 import Web3

from identity.errors import KeyNotFoundError
from identity.password import key_password
from oracle.anvil import ChainError
from oracle.audit import ChainResetError
from oracle.contracts import Deployment, deploy
from oracle.eip712 import log_id
from oracle.runtime import ADMIN_KEY, ORACLE_KEY, Runtime

logger = logging.getLogger(__name__)

FUNDING_WEI = Web3.to_wei(100, "ether")


@dataclass(frozen=True)
class DeployOutcome:
    deployment: Deployment
    created: bool


def ensure_key(runtime: Runtime, label: str) -> str:
    """The address of the keystore key `label`, creating the key if it does not exist."""
    try:
        return runtime.keystore.entry(label).address
    except KeyNotFoundError:
        entry = runtime.keystore.create(label, key_password())
        logger.info("created key %s (%s)", label, entry.address)
        return entry.address


def fund_from_dev_account(runtime: Runtime, addresses: list[str]) -> None:
    """On a development chain (one that unlocks accounts), top up `addresses` from its first account."""
    w3 = runtime.w3
    unlocked = w3.eth.accounts
    if not unlocked:
        return
    for address in addresses:
        if w3.eth.get_balance(address) < FUNDING_WEI // 2:
            tx_hash = w3.eth.send_transaction({"from": unlocked[0], "to": address, "value": FUNDING_WEI})
            w3.eth.wait_for_transaction_receipt(tx_hash)


def ensure_deployed(runtime: Runtime, redeploy: bool = False) -> DeployOutcome:
    admin = ensure_key(runtime, ADMIN_KEY)
    oracle = ensure_key(runtime, ORACLE_KEY)
    fund_from_dev_account(runtime, [admin, oracle])
    created = False
    if runtime.deployment_path.exists() and not redeploy:
        deployment = runtime.deployment
        ledger_address = deployment.contracts["CarbonLedger"].address
        if not bytes(runtime.w3.eth.get_code(ledger_address)):
            raise ChainResetError(
                f"{runtime.deployment_path} names contracts that chain {deployment.chain_id} does not hold: "
                "the chain was reset; deploy again with --redeploy (a new ledger on chain)"
            )
    else:
        deployment = deploy(runtime.w3, runtime.account(ADMIN_KEY), deployment_path=runtime.deployment_path)
        runtime.__dict__.pop("deployment", None)
        created = True
    ledger = runtime.contract("CarbonLedger")
    role = ledger.functions.oracleRole(log_id(runtime.origin)).call()
    if not ledger.functions.hasRole(role, oracle).call():
        runtime.sender(ADMIN_KEY).send(f"grant:oracle:{runtime.origin}:{oracle}", ledger.functions.grantRole(role, oracle))
    if runtime.deployment.chain_id != runtime.w3.eth.chain_id:
        raise ChainError("deployment file and chain disagree on the chain id")
    return DeployOutcome(runtime.deployment, created)
