"""A fresh embedded chain with the contracts deployed, an oracle key with its role, and registered accounts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3

from oracle.anvil import EmbeddedChain
from oracle.chain_ids import account_id, short_code
from oracle.contracts import Deployment, compile_contracts, deploy
from oracle.eip712 import log_id

# Anvil's first development account (well-known test mnemonic), unlocked by the node: admin and regulator here.
ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
REGION = "ZJ"
INDUSTRY = "C26"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ChainWorld:
    chain: EmbeddedChain
    w3: Web3
    deployment: Deployment
    abis: dict[str, list[dict[str, Any]]]
    oracle: LocalAccount

    def contract(self, name: str) -> Any:
        return self.w3.eth.contract(address=self.deployment.contracts[name].address, abi=self.abis[name])


def transact(w3: Web3, call: Any) -> None:
    receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": ADMIN}))
    assert receipt["status"] == 1


def chain_world(state_dir: Path, origin: str, accounts: list[str]) -> Iterator[ChainWorld]:
    chain = EmbeddedChain(state_dir, port=free_port())
    chain.up()
    try:
        w3 = Web3(HTTPProvider(chain.rpc_url))
        compiled = compile_contracts()
        deployment = deploy(w3, ADMIN, deployment_path=state_dir / "deployment.json", compiled=compiled)
        world = ChainWorld(chain, w3, deployment, {name: c.abi for name, c in compiled.items()}, Account.create())
        w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({"from": ADMIN, "to": world.oracle.address, "value": w3.to_wei(10, "ether")})
        )
        ledger, carbon_accounts = world.contract("CarbonLedger"), world.contract("CarbonAccounts")
        transact(w3, ledger.functions.grantRole(ledger.functions.oracleRole(log_id(origin)).call(), world.oracle.address))
        region = short_code(REGION)
        transact(w3, carbon_accounts.functions.grantRole(carbon_accounts.functions.regulatorRole(region).call(), ADMIN))
        transact(w3, carbon_accounts.functions.registerAccount(account_id(REGION), ADMIN, 0, region, short_code(INDUSTRY), bytes(32)))
        for account in accounts:
            transact(w3, carbon_accounts.functions.registerAccount(
                account_id(account), ADMIN, 2, region, short_code(INDUSTRY), account_id(REGION)))
        yield world
    finally:
        chain.down()
