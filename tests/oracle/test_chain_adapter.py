"""The chain adapter on a real chain: simulated and mined reverts decoded into the contracts' custom errors,
EIP-1559 fees, nonces kept through gaps, confirmations counted, reorged transactions sent again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from ledger.log_store import create_store_engine
from oracle.anvil import ChainError
from oracle.chain import ChainSettings, RevertDecoder, TransactionRevertedError, TransactionSender
from oracle.chain_ids import account_id
from oracle.eip712 import log_id
from oracle.pipeline_store import PipelineStore, TxState
from tests.oracle.chain_calls import automine_off, first_anchor, funded_key, mine, reorg
from tests.oracle.chain_fixture import ChainWorld, chain_world

ORIGIN = "carbonledger.test/adapter"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChainWorld]:
    yield from chain_world(tmp_path_factory.mktemp("chain"), ORIGIN, [])


@pytest.fixture
def relayer(world: ChainWorld) -> LocalAccount:
    return funded_key(world)


def make_sender(world: ChainWorld, key: LocalAccount, database: Path, **settings: float) -> TransactionSender:
    store = PipelineStore(create_store_engine(f"sqlite:///{database}"))
    return TransactionSender(world.w3, key, store, RevertDecoder(list(world.abis.values())), ChainSettings(**settings))


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def test_given_a_call_signed_by_a_stranger_when_prepared_then_the_custom_error_is_decoded_and_nothing_stored(
    world: ChainWorld, relayer: LocalAccount, tmp_path: Path
) -> None:
    sender = make_sender(world, relayer, tmp_path / "state.db")
    stranger = funded_key(world)
    with pytest.raises(ChainError) as raised:
        sender.prepare("anchor:stranger", first_anchor(world, f"{ORIGIN}/stranger", signer=stranger))
    assert (raised.value.name, raised.value.arguments) == (
        "CarbonLedgerSignerNotOracle", (log_id(f"{ORIGIN}/stranger"), stranger.address)
    )
    assert sender.store.transaction("anchor:stranger") is None


def test_given_an_unregistered_account_when_posting_then_the_error_names_the_account(
    world: ChainWorld, tmp_path: Path
) -> None:
    sender = make_sender(world, world.oracle, tmp_path / "state.db")
    call = world.contract("CarbonAccounts").functions.postEmissions(account_id("XX0001"), 2025, 1, log_id(ORIGIN), 1)
    with pytest.raises(ChainError, match=r"reverted: CarbonAccountsUnknownAccount\(0x") as raised:
        sender.send("post:unknown", call)
    assert raised.value.arguments == (account_id("XX0001"),)


def test_given_two_anchors_of_one_size_mined_in_one_block_when_confirmed_then_the_second_reverts_decoded(
    world: ChainWorld, relayer: LocalAccount, tmp_path: Path
) -> None:
    sender = make_sender(world, relayer, tmp_path / "state.db")
    origin = f"{ORIGIN}/twice"
    call = first_anchor(world, origin)
    with automine_off(world.w3):
        first, second = sender.prepare("anchor:first", call), sender.prepare("anchor:second", call)
        sender.submit(second)
        mine(world.w3)
    assert sender.confirm(first).state is TxState.CONFIRMED
    with pytest.raises(TransactionRevertedError) as raised:
        sender.send("anchor:second", call)
    assert (raised.value.name, raised.value.arguments) == (
        "CarbonLedgerTreeSizeNotIncreasing", (log_id(origin), 3, 3)
    )
    stored = sender.store.transaction("anchor:second")
    assert stored is not None and stored.state is TxState.REVERTED
    assert "CarbonLedgerTreeSizeNotIncreasing" in str(stored.error)


def test_given_a_transaction_when_prepared_then_it_pays_eip1559_fees_from_the_latest_base_fee(
    world: ChainWorld, relayer: LocalAccount, tmp_path: Path
) -> None:
    sender = make_sender(world, relayer, tmp_path / "state.db")
    call = first_anchor(world, f"{ORIGIN}/fees")
    base_fee = world.w3.eth.get_block("latest")["baseFeePerGas"]
    tip = world.w3.eth.max_priority_fee
    row = sender.send("anchor:fees", call)
    sent = world.w3.eth.get_transaction(row.tx_hash)
    assert (sent["type"], sent["maxPriorityFeePerGas"], sent["maxFeePerGas"]) == (2, tip, 2 * base_fee + tip)
    assert (sent["nonce"], row.nonce) == (0, 0)


def test_given_a_transaction_prepared_but_never_sent_when_a_later_one_is_sent_then_both_are_mined_in_order(
    world: ChainWorld, relayer: LocalAccount, tmp_path: Path
) -> None:
    sender = make_sender(world, relayer, tmp_path / "state.db")
    earlier = sender.prepare("anchor:earlier", first_anchor(world, f"{ORIGIN}/earlier"))
    later = sender.send("anchor:later", first_anchor(world, f"{ORIGIN}/later"))
    assert (earlier.nonce, later.nonce) == (0, 1)
    assert later.state is TxState.CONFIRMED
    assert [row.subject for row in sender.resume()] == ["anchor:earlier"]
    mined = sender.store.transaction("anchor:earlier")
    assert mined is not None and mined.state is TxState.CONFIRMED
    assert mined.block_number is not None and later.block_number is not None
    assert mined.block_number < later.block_number


def test_given_a_transaction_waiting_in_the_pool_when_sent_again_then_the_node_keeps_the_one_copy(
    world: ChainWorld, relayer: LocalAccount, tmp_path: Path
) -> None:
    sender = make_sender(world, relayer, tmp_path / "state.db")
    call = first_anchor(world, f"{ORIGIN}/twice-sent")
    with automine_off(world.w3):
        row = sender.prepare("anchor:twice-sent", call)
        sender.submit(row)
        sender.submit(row)
        mine(world.w3)
    assert sender.confirm(row).state is TxState.CONFIRMED


def test_given_three_confirmations_when_mined_then_the_transaction_is_confirmed_three_blocks_deep_only(
    world: ChainWorld, relayer: LocalAccount, tmp_path: Path
) -> None:
    sender = make_sender(world, relayer, tmp_path / "state.db", confirmations=3, receipt_timeout_s=0.5)
    row = sender.prepare("anchor:deep", first_anchor(world, f"{ORIGIN}/deep"))
    sender.submit(row)
    with pytest.raises(ChainError, match="not 3 blocks deep"):
        sender.confirm(row)
    assert sender.store.transaction("anchor:deep").state is TxState.SUBMITTED
    mine(world.w3, 2)
    confirmed = sender.confirm(row)
    assert confirmed.state is TxState.CONFIRMED
    assert world.w3.eth.block_number - confirmed.block_number + 1 == 3


def test_given_a_mined_transaction_when_its_block_is_reorged_away_then_it_is_sent_again_and_mined_anew(
    world: ChainWorld, relayer: LocalAccount, tmp_path: Path
) -> None:
    sender = make_sender(world, relayer, tmp_path / "state.db")
    mined = sender.send("anchor:reorged", first_anchor(world, f"{ORIGIN}/reorged"))
    reorg(world.w3, 1)
    assert [row.subject for row in sender.reorged()] == ["anchor:reorged"]
    assert sender.store.transaction("anchor:reorged").state is TxState.SUBMITTED
    assert sender.reorged() == []
    [again] = sender.resume()
    assert (again.state, again.tx_hash) == (TxState.CONFIRMED, mined.tx_hash)
    assert again.block_hash != mined.block_hash
    assert bytes(world.contract("CarbonLedger").functions.latestHead(log_id(f"{ORIGIN}/reorged")).call()[1])


@pytest.mark.parametrize(
    ("data", "name", "arguments"),
    [
        (selector("Error(string)") + abi_encode(["string"], ["no"]), "Error", ("no",)),
        (selector("Panic(uint256)") + abi_encode(["uint256"], [0x11]), "Panic", (0x11,)),
        (selector("CarbonLedgerCheckpointNotAnchored(bytes32,uint64)") + abi_encode(["bytes32", "uint64"],
                                                                                   [b"\x01" * 32, 7]),
         "CarbonLedgerCheckpointNotAnchored", (b"\x01" * 32, 7)),
        (bytes.fromhex("deadbeef"), "unknown error 0xdeadbeef", ()),
        (b"", "revert", ("no revert data",)),
    ],
)
def test_given_revert_data_when_decoded_then_the_error_and_its_arguments_are_named(
    world: ChainWorld, data: bytes, name: str, arguments: tuple[object, ...]
) -> None:
    revert = RevertDecoder(list(world.abis.values())).decode(data)
    assert (revert.name, revert.arguments, revert.data) == (name, arguments, data)
