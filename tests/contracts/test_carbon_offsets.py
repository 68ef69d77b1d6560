"""CarbonOffsets: serial ranges issued by the registry, split on transfer and retirement, retired only once."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from tests.contracts.conftest import YEAR, account_id, event_args, event_names, plain, reverts_with

PROJECT_ID = keccak(text="CCER-330800-0001")
VINTAGE = 2024
ZERO_ADDRESS = "0x" + "00" * 20
TONNE_G = 1_000_000


@pytest.fixture
def issued(offsets: Any, registry: Any, holder: Any) -> None:
    """Serials 1..1000 issued to `holder` as batch 1."""
    offsets.issueOffsets(PROJECT_ID, VINTAGE, 1000, holder, {"from": registry})


def test_given_the_registry_when_issuing_1000_serials_then_one_range_and_one_batch_are_stored(
    offsets: Any, registry: Any, holder: Any
) -> None:
    tx = offsets.issueOffsets(PROJECT_ID, VINTAGE, 1000, holder, {"from": registry})
    assert event_args(tx, "OffsetsIssued") == [
        {
            "batchId": 1,
            "projectId": PROJECT_ID,
            "holder": holder.address,
            "vintage": VINTAGE,
            "firstSerial": 1,
            "lastSerial": 1000,
        }
    ]
    assert plain(tx.return_value) == (1, 1000)
    assert plain(offsets.serialRange(1)) == (holder.address, 1000, 1)
    assert plain(offsets.batch(1)) == (PROJECT_ID, VINTAGE)
    assert (offsets.issuedCount(), offsets.batchCount()) == (1000, 1)


def test_given_earlier_issues_when_issuing_again_then_serials_continue_after_the_last(
    offsets: Any, issued: None, registry: Any, stranger: Any
) -> None:
    tx = offsets.issueOffsets(keccak(text="other project"), 2023, 5, stranger, {"from": registry})
    assert plain(tx.return_value) == (1001, 1005)
    assert plain(offsets.serialRange(1001)) == (stranger.address, 1005, 2)


def test_given_no_registry_role_when_issuing_then_access_control_rejects_it(
    offsets: Any, stranger: Any, holder: Any
) -> None:
    with reverts_with(offsets, "AccessControlUnauthorizedAccount", stranger.address, offsets.REGISTRY_ROLE()):
        offsets.issueOffsets(PROJECT_ID, VINTAGE, 1, holder, {"from": stranger})


def test_given_zero_serials_or_the_zero_holder_when_issuing_then_it_is_rejected(
    offsets: Any, registry: Any, holder: Any
) -> None:
    with reverts_with(offsets, "CarbonOffsetsInvalidCount", 0):
        offsets.issueOffsets(PROJECT_ID, VINTAGE, 0, holder, {"from": registry})
    with reverts_with(offsets, "CarbonOffsetsInvalidHolder", ZERO_ADDRESS):
        offsets.issueOffsets(PROJECT_ID, VINTAGE, 1, ZERO_ADDRESS, {"from": registry})


def test_given_a_range_when_a_middle_part_is_transferred_then_it_splits_in_three(
    offsets: Any, issued: None, holder: Any, stranger: Any
) -> None:
    tx = offsets.transferOffsets(1, 400, 599, stranger, {"from": holder})
    assert event_args(tx, "OffsetsTransferred") == [
        {"from": holder.address, "to": stranger.address, "firstSerial": 400, "lastSerial": 599}
    ]
    assert [plain(offsets.serialRange(start)) for start in (1, 400, 600)] == [
        (holder.address, 399, 1),
        (stranger.address, 599, 1),
        (holder.address, 1000, 1),
    ]


@pytest.mark.parametrize(("first", "last"), [(1, 1000), (1, 10), (991, 1000)])
def test_given_a_range_when_a_whole_prefix_or_suffix_is_transferred_then_no_empty_range_is_left(
    offsets: Any, issued: None, holder: Any, stranger: Any, first: int, last: int
) -> None:
    offsets.transferOffsets(1, first, last, stranger, {"from": holder})
    assert plain(offsets.serialRange(first)) == (stranger.address, last, 1)
    starts = {1, first, last + 1} - {1001}
    covered = sorted((start, plain(offsets.serialRange(start))[1]) for start in starts)
    assert [start for start, _ in covered] == sorted(starts)
    assert sum(last_serial - start + 1 for start, last_serial in covered) == 1000


def test_given_a_transferred_part_when_its_new_holder_transfers_it_on_then_the_old_holder_cannot(
    offsets: Any, issued: None, holder: Any, stranger: Any, admin: Any
) -> None:
    offsets.transferOffsets(1, 400, 599, stranger, {"from": holder})
    with reverts_with(offsets, "CarbonOffsetsNotHolder", 400, stranger.address, holder.address):
        offsets.transferOffsets(400, 400, 410, admin, {"from": holder})
    offsets.transferOffsets(400, 400, 410, admin, {"from": stranger})
    assert plain(offsets.serialRange(400)) == (admin.address, 410, 1)


def test_given_a_serial_inside_a_range_when_used_as_range_start_then_it_is_unknown(
    offsets: Any, issued: None, holder: Any, stranger: Any
) -> None:
    with reverts_with(offsets, "CarbonOffsetsUnknownRange", 2):
        offsets.transferOffsets(2, 2, 3, stranger, {"from": holder})


def test_given_serials_never_issued_when_used_then_no_range_holds_them(
    offsets: Any, issued: None, holder: Any, stranger: Any
) -> None:
    with reverts_with(offsets, "CarbonOffsetsUnknownRange", 1001):
        offsets.transferOffsets(1001, 1001, 1001, stranger, {"from": holder})
    with reverts_with(offsets, "CarbonOffsetsSerialsOutsideRange", 1, 1000, 990, 1001):
        offsets.transferOffsets(1, 990, 1001, stranger, {"from": holder})
    with reverts_with(offsets, "CarbonOffsetsUnknownRange", 1001):
        offsets.serialRange(1001)


def test_given_reversed_serials_when_transferring_then_they_are_outside_the_range(
    offsets: Any, issued: None, holder: Any, stranger: Any
) -> None:
    with reverts_with(offsets, "CarbonOffsetsSerialsOutsideRange", 1, 1000, 20, 10):
        offsets.transferOffsets(1, 20, 10, stranger, {"from": holder})


def test_given_the_zero_address_when_transferring_then_it_is_rejected(offsets: Any, issued: None, holder: Any) -> None:
    with reverts_with(offsets, "CarbonOffsetsInvalidHolder", ZERO_ADDRESS):
        offsets.transferOffsets(1, 1, 1, ZERO_ADDRESS, {"from": holder})


def test_given_held_serials_when_retired_for_an_account_then_its_balance_rises_by_a_tonne_each(
    offsets: Any, carbon_accounts: Any, issued: None, hierarchy: dict[str, bytes], holder: Any
) -> None:
    enterprise = hierarchy["enterprise"]
    tx = offsets.retireOffsets(1, 101, 150, enterprise, YEAR, {"from": holder})
    assert event_names(tx) == ["OffsetsRetired", "RetiredOffsetsCredited"]
    assert event_args(tx, "OffsetsRetired") == [
        {
            "accountId": enterprise,
            "year": YEAR,
            "holder": holder.address,
            "firstSerial": 101,
            "lastSerial": 150,
            "co2eG": 50 * TONNE_G,
        }
    ]
    assert event_args(tx, "RetiredOffsetsCredited") == [{"accountId": enterprise, "year": YEAR, "co2eG": 50 * TONNE_G}]
    assert plain(offsets.serialRange(101)) == (ZERO_ADDRESS, 150, 1)
    assert carbon_accounts.balance(enterprise, YEAR) == 50 * TONNE_G


def test_given_retired_serials_when_retired_or_transferred_again_then_they_are_refused(
    offsets: Any, issued: None, hierarchy: dict[str, bytes], holder: Any, stranger: Any
) -> None:
    offsets.retireOffsets(1, 1, 1000, hierarchy["enterprise"], YEAR, {"from": holder})
    with reverts_with(offsets, "CarbonOffsetsRangeRetired", 1, 1000):
        offsets.retireOffsets(1, 1, 1000, hierarchy["facility"], YEAR, {"from": holder})
    with reverts_with(offsets, "CarbonOffsetsRangeRetired", 1, 1000):
        offsets.transferOffsets(1, 5, 5, stranger, {"from": holder})


def test_given_a_stranger_when_retiring_someone_elses_serials_then_it_is_refused(
    offsets: Any, issued: None, hierarchy: dict[str, bytes], holder: Any, stranger: Any
) -> None:
    with reverts_with(offsets, "CarbonOffsetsNotHolder", 1, holder.address, stranger.address):
        offsets.retireOffsets(1, 1, 1, hierarchy["enterprise"], YEAR, {"from": stranger})


def test_given_an_unregistered_account_when_retiring_for_it_then_nothing_is_retired(
    offsets: Any, carbon_accounts: Any, issued: None, hierarchy: dict[str, bytes], holder: Any
) -> None:
    with reverts_with(carbon_accounts, "CarbonAccountsUnknownAccount", account_id("nobody")):
        offsets.retireOffsets(1, 1, 10, account_id("nobody"), YEAR, {"from": holder})
    assert plain(offsets.serialRange(1)) == (holder.address, 1000, 1)


def test_given_a_deployment_when_asked_then_it_names_its_accounts_contract(offsets: Any, carbon_accounts: Any) -> None:
    assert offsets.accounts() == carbon_accounts.address
    assert offsets.GRAMS_PER_SERIAL() == TONNE_G
