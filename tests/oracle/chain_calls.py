"""Transactions to exercise the chain adapter with on a ChainWorld: first anchors of new logs, funded relayer
keys, and the node controls (automine, mining, reorgs) that make faults happen on cue."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.eip712 import CheckpointMessage, SigningDomain, log_id, sign
from tests.oracle.chain_fixture import ADMIN, ChainWorld, transact

CHECKPOINT_TIME = 1_767_225_600


def funded_key(world: ChainWorld) -> LocalAccount:
    """A new key holding 1 ether, so that its nonces start at 0 and no other test shares them."""
    key: LocalAccount = Account.create()
    world.w3.eth.wait_for_transaction_receipt(
        world.w3.eth.send_transaction({"from": ADMIN, "to": key.address, "value": Web3.to_wei(1, "ether")})
    )
    return key


def first_anchor(world: ChainWorld, origin: str, signer: LocalAccount | None = None, tree_size: int = 3) -> Any:
    """The call anchoring the first head of the log `origin`, signed by `signer` (the world's oracle, whom
    this makes an oracle of the log)."""
    ledger = world.contract("CarbonLedger")
    identifier = log_id(origin)
    transact(world.w3, ledger.functions.grantRole(ledger.functions.oracleRole(identifier).call(), world.oracle.address))
    head = MerkleLog(MemoryLogStore(), origin).append([f"record {index}".encode() for index in range(tree_size)])
    message = CheckpointMessage(identifier, head.tree_size, head.root_hash, CHECKPOINT_TIME, bytes(32))
    domain = SigningDomain(world.w3.eth.chain_id, ledger.address)
    signature = sign(bytes((signer or world.oracle).key), domain, message)
    return ledger.functions.anchor(message.as_struct(), [], signature)


def transfer(w3: Web3, key: LocalAccount, nonce: int) -> bytes:
    """A plain transfer from `key` with `nonce`, sent as raw bytes by someone else holding the key; its hash.

    It pays a higher tip than the oracle's transactions, so it replaces one with the same nonce in the pool.
    """
    base_fee = int(w3.eth.get_block("latest")["baseFeePerGas"])
    tip = 2 * int(w3.eth.max_priority_fee)
    signed = key.sign_transaction({
        "to": ADMIN, "value": 1, "gas": 21_000, "nonce": nonce, "chainId": w3.eth.chain_id,
        "maxFeePerGas": 4 * base_fee + tip, "maxPriorityFeePerGas": tip,
    })
    return bytes(w3.eth.send_raw_transaction(signed.raw_transaction))


def mine(w3: Web3, blocks: int = 1) -> None:
    for _ in range(blocks):
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def set_automine(w3: Web3, on: bool) -> None:
    """Off: transactions wait in the node's pool until mined with `mine` (a restarted node mines again)."""
    w3.provider.make_request("evm_setAutomine", [on])  # type: ignore[arg-type]


@contextmanager
def automine_off(w3: Web3) -> Iterator[None]:
    set_automine(w3, False)
    try:
        yield
    finally:
        set_automine(w3, True)


def reorg(w3: Web3, depth: int) -> None:
    """Replace the last `depth` blocks by empty ones: their transactions leave the chain."""
    answer = w3.provider.make_request("anvil_reorg", [depth, []])  # type: ignore[arg-type]
    assert "error" not in answer, answer


def drop(w3: Web3, tx_hash: bytes) -> None:
    """The node forgets the transaction waiting in its pool."""
    answer = w3.provider.make_request("anvil_dropTransaction", ["0x" + tx_hash.hex()])  # type: ignore[arg-type]
    assert answer.get("result") is not None, answer
