"""CarbonAccounts: the account hierarchy, allowances, append-only emissions postings and balance warnings."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from ledger.log import MerkleLog
from tests.contracts.conftest import (
    ANCHORED_SIZE,
    INDUSTRY,
    LOG_ID,
    OTHER_REGION,
    REGION,
    YEAR,
    KeyedAccount,
    account_id,
    event_args,
    event_names,
    plain,
    reverts_with,
)

TONNE_G = 1_000_000
REGION_LEVEL, PARK_LEVEL, ENTERPRISE_LEVEL, FACILITY_LEVEL = range(4)


@pytest.fixture
def enterprise(hierarchy: dict[str, bytes], anchored_log: MerkleLog) -> bytes:
    """A registered enterprise, with the test log anchored so that emissions can be posted."""
    return hierarchy["enterprise"]


def post(carbon_accounts: Any, oracle: KeyedAccount, accountid: bytes, co2e_g: int, year: int = YEAR) -> Any:
    return carbon_accounts.postEmissions(accountid, year, co2e_g, LOG_ID, ANCHORED_SIZE, {"from": oracle.account})


def test_given_a_regulator_when_registering_a_region_account_then_it_is_stored_and_announced(
    carbon_accounts: Any, regulator: Any, holder: Any
) -> None:
    tx = carbon_accounts.registerAccount(
        account_id("zj"), holder, REGION_LEVEL, REGION, INDUSTRY, bytes(32), {"from": regulator}
    )
    assert event_args(tx, "AccountRegistered") == [
        {
            "accountId": account_id("zj"),
            "region": REGION,
            "parentId": bytes(32),
            "owner": holder.address,
            "level": REGION_LEVEL,
            "industry": INDUSTRY,
        }
    ]
    assert plain(carbon_accounts.account(account_id("zj"))) == (
        holder.address,
        REGION_LEVEL,
        REGION,
        INDUSTRY,
        bytes(32),
    )


def test_given_a_hierarchy_when_read_then_each_account_names_its_parent(
    carbon_accounts: Any, hierarchy: dict[str, bytes]
) -> None:
    assert [plain(carbon_accounts.account(hierarchy[name]))[4] for name in ["park", "enterprise", "facility"]] == [
        hierarchy["region"],
        hierarchy["park"],
        hierarchy["enterprise"],
    ]


def test_given_a_region_when_a_facility_hangs_directly_under_it_then_levels_may_be_skipped(
    carbon_accounts: Any, hierarchy: dict[str, bytes], regulator: Any, holder: Any
) -> None:
    carbon_accounts.registerAccount(
        account_id("plant"), holder, FACILITY_LEVEL, REGION, INDUSTRY, hierarchy["region"], {"from": regulator}
    )
    assert plain(carbon_accounts.account(account_id("plant")))[4] == hierarchy["region"]


def test_given_no_regulator_role_when_registering_then_access_control_rejects_it(
    carbon_accounts: Any, stranger: Any, holder: Any
) -> None:
    role = carbon_accounts.regulatorRole(REGION)
    with reverts_with(carbon_accounts, "AccessControlUnauthorizedAccount", stranger.address, role):
        carbon_accounts.registerAccount(
            account_id("x"), holder, REGION_LEVEL, REGION, INDUSTRY, bytes(32), {"from": stranger}
        )


def test_given_a_regulator_of_another_region_when_registering_here_then_access_control_rejects_it(
    carbon_accounts: Any, regulator: Any, holder: Any
) -> None:
    role = carbon_accounts.regulatorRole(OTHER_REGION)
    with reverts_with(carbon_accounts, "AccessControlUnauthorizedAccount", regulator.address, role):
        carbon_accounts.registerAccount(
            account_id("x"), holder, REGION_LEVEL, OTHER_REGION, INDUSTRY, bytes(32), {"from": regulator}
        )


def test_given_a_registered_id_when_registered_again_then_it_is_rejected(
    carbon_accounts: Any, hierarchy: dict[str, bytes], regulator: Any, holder: Any
) -> None:
    with reverts_with(carbon_accounts, "CarbonAccountsAccountExists", hierarchy["region"]):
        carbon_accounts.registerAccount(
            hierarchy["region"], holder, REGION_LEVEL, REGION, INDUSTRY, bytes(32), {"from": regulator}
        )


def test_given_the_zero_owner_when_registering_then_it_is_rejected(carbon_accounts: Any, regulator: Any) -> None:
    zero = "0x" + "00" * 20
    with reverts_with(carbon_accounts, "CarbonAccountsInvalidOwner", zero):
        carbon_accounts.registerAccount(
            account_id("x"), zero, REGION_LEVEL, REGION, INDUSTRY, bytes(32), {"from": regulator}
        )


@pytest.mark.parametrize(
    ("level", "parent"),
    [
        (REGION_LEVEL, "region"),  # a region has no parent
        (ENTERPRISE_LEVEL, None),  # anything else needs one
        (ENTERPRISE_LEVEL, "unregistered"),
        (ENTERPRISE_LEVEL, "enterprise"),  # same level
        (PARK_LEVEL, "facility"),  # lower level
        (ENTERPRISE_LEVEL, "elsewhere"),  # another region
    ],
)
def test_given_a_misfit_parent_when_registering_then_it_is_rejected(
    carbon_accounts: Any,
    hierarchy: dict[str, bytes],
    admin: Any,
    regulator: Any,
    holder: Any,
    level: int,
    parent: str | None,
) -> None:
    carbon_accounts.grantRole(carbon_accounts.regulatorRole(OTHER_REGION), regulator, {"from": admin})
    carbon_accounts.registerAccount(
        account_id("elsewhere"), holder, REGION_LEVEL, OTHER_REGION, INDUSTRY, bytes(32), {"from": regulator}
    )
    parent_id = bytes(32) if parent is None else account_id(parent)
    with reverts_with(carbon_accounts, "CarbonAccountsInvalidParent", account_id("new"), parent_id):
        carbon_accounts.registerAccount(
            account_id("new"), holder, level, REGION, INDUSTRY, parent_id, {"from": regulator}
        )


def test_given_an_unknown_account_when_read_then_it_reverts(carbon_accounts: Any) -> None:
    with reverts_with(carbon_accounts, "CarbonAccountsUnknownAccount", account_id("nobody")):
        carbon_accounts.account(account_id("nobody"))


def test_given_a_regulator_when_setting_an_allowance_then_the_book_and_balance_show_it(
    carbon_accounts: Any, enterprise: bytes, regulator: Any
) -> None:
    carbon_accounts.setAllowance(enterprise, YEAR, 50 * TONNE_G, {"from": regulator})
    tx = carbon_accounts.setAllowance(enterprise, YEAR, 100 * TONNE_G, {"from": regulator})
    assert event_names(tx) == ["AllowanceSet"]
    assert event_args(tx, "AllowanceSet") == [
        {"accountId": enterprise, "year": YEAR, "previousAllowanceG": 50 * TONNE_G, "allowanceG": 100 * TONNE_G}
    ]
    assert plain(carbon_accounts.yearBook(enterprise, YEAR)) == (100 * TONNE_G, 0, 0)
    assert carbon_accounts.balance(enterprise, YEAR) == 100 * TONNE_G


def test_given_no_regulator_role_when_setting_an_allowance_then_access_control_rejects_it(
    carbon_accounts: Any, enterprise: bytes, stranger: Any
) -> None:
    role = carbon_accounts.regulatorRole(REGION)
    with reverts_with(carbon_accounts, "AccessControlUnauthorizedAccount", stranger.address, role):
        carbon_accounts.setAllowance(enterprise, YEAR, 1, {"from": stranger})


def test_given_an_unknown_account_when_setting_an_allowance_then_it_is_rejected(
    carbon_accounts: Any, regulator: Any
) -> None:
    with reverts_with(carbon_accounts, "CarbonAccountsUnknownAccount", account_id("nobody")):
        carbon_accounts.setAllowance(account_id("nobody"), YEAR, 1, {"from": regulator})


def test_given_an_anchored_checkpoint_when_the_oracle_posts_emissions_then_the_posting_is_stored(
    carbon_accounts: Any, enterprise: bytes, regulator: Any, oracle: KeyedAccount
) -> None:
    carbon_accounts.setAllowance(enterprise, YEAR, 100 * TONNE_G, {"from": regulator})
    tx = post(carbon_accounts, oracle, enterprise, 30 * TONNE_G)
    assert event_args(tx, "EmissionsPosted") == [
        {
            "postingId": 1,
            "accountId": enterprise,
            "year": YEAR,
            "co2eG": 30 * TONNE_G,
            "corrects": 0,
            "logId": LOG_ID,
            "treeSize": ANCHORED_SIZE,
        }
    ]
    assert tx.return_value == 1
    assert plain(carbon_accounts.posting(1)) == (enterprise, LOG_ID, ANCHORED_SIZE, 30 * TONNE_G, 0, YEAR)
    assert carbon_accounts.postingCount() == 1
    assert carbon_accounts.correctedBy(1) == 0
    assert carbon_accounts.balance(enterprise, YEAR) == 70 * TONNE_G


def test_given_a_caller_without_the_log_oracle_role_when_posting_then_it_is_rejected(
    carbon_accounts: Any, ledger: Any, enterprise: bytes, stranger: Any
) -> None:
    role = ledger.oracleRole(LOG_ID)
    with reverts_with(carbon_accounts, "AccessControlUnauthorizedAccount", stranger.address, role):
        carbon_accounts.postEmissions(enterprise, YEAR, 1, LOG_ID, ANCHORED_SIZE, {"from": stranger})


def test_given_a_checkpoint_not_anchored_when_posting_then_the_ledger_rejects_it(
    carbon_accounts: Any, ledger: Any, enterprise: bytes, oracle: KeyedAccount
) -> None:
    with reverts_with(ledger, "CarbonLedgerCheckpointNotAnchored", LOG_ID, ANCHORED_SIZE - 1):
        carbon_accounts.postEmissions(enterprise, YEAR, 1, LOG_ID, ANCHORED_SIZE - 1, {"from": oracle.account})


def test_given_an_unknown_account_when_posting_then_it_is_rejected(
    carbon_accounts: Any, anchored_log: MerkleLog, oracle: KeyedAccount
) -> None:
    with reverts_with(carbon_accounts, "CarbonAccountsUnknownAccount", account_id("nobody")):
        post(carbon_accounts, oracle, account_id("nobody"), 1)


def test_given_a_posting_when_corrected_then_the_original_stays_and_the_book_takes_the_new_figure(
    carbon_accounts: Any, enterprise: bytes, oracle: KeyedAccount
) -> None:
    post(carbon_accounts, oracle, enterprise, 30 * TONNE_G)
    post(carbon_accounts, oracle, enterprise, 5 * TONNE_G)
    tx = carbon_accounts.correctEmissions(1, 25 * TONNE_G, LOG_ID, ANCHORED_SIZE, {"from": oracle.account})
    assert event_args(tx, "EmissionsPosted") == [
        {
            "postingId": 3,
            "accountId": enterprise,
            "year": YEAR,
            "co2eG": 25 * TONNE_G,
            "corrects": 1,
            "logId": LOG_ID,
            "treeSize": ANCHORED_SIZE,
        }
    ]
    assert plain(carbon_accounts.posting(1)) == (enterprise, LOG_ID, ANCHORED_SIZE, 30 * TONNE_G, 0, YEAR)
    assert plain(carbon_accounts.posting(3)) == (enterprise, LOG_ID, ANCHORED_SIZE, 25 * TONNE_G, 1, YEAR)
    assert carbon_accounts.correctedBy(1) == 3
    assert plain(carbon_accounts.yearBook(enterprise, YEAR)) == (0, 30 * TONNE_G, 0)


def test_given_a_corrected_posting_when_corrected_again_then_only_its_correction_may_be(
    carbon_accounts: Any, enterprise: bytes, oracle: KeyedAccount
) -> None:
    post(carbon_accounts, oracle, enterprise, 30 * TONNE_G)
    carbon_accounts.correctEmissions(1, 25 * TONNE_G, LOG_ID, ANCHORED_SIZE, {"from": oracle.account})
    with reverts_with(carbon_accounts, "CarbonAccountsPostingAlreadyCorrected", 1, 2):
        carbon_accounts.correctEmissions(1, 20 * TONNE_G, LOG_ID, ANCHORED_SIZE, {"from": oracle.account})
    carbon_accounts.correctEmissions(2, 20 * TONNE_G, LOG_ID, ANCHORED_SIZE, {"from": oracle.account})
    assert carbon_accounts.balance(enterprise, YEAR) == -20 * TONNE_G


def test_given_an_unknown_posting_when_corrected_then_it_is_rejected(
    carbon_accounts: Any, enterprise: bytes, oracle: KeyedAccount
) -> None:
    with reverts_with(carbon_accounts, "CarbonAccountsUnknownPosting", 7):
        carbon_accounts.correctEmissions(7, 1, LOG_ID, ANCHORED_SIZE, {"from": oracle.account})
    with reverts_with(carbon_accounts, "CarbonAccountsUnknownPosting", 7):
        carbon_accounts.posting(7)


def test_given_a_stranger_when_correcting_then_the_oracle_role_is_required(
    carbon_accounts: Any, ledger: Any, enterprise: bytes, oracle: KeyedAccount, stranger: Any
) -> None:
    post(carbon_accounts, oracle, enterprise, 30 * TONNE_G)
    role = ledger.oracleRole(LOG_ID)
    with reverts_with(carbon_accounts, "AccessControlUnauthorizedAccount", stranger.address, role):
        carbon_accounts.correctEmissions(1, 1, LOG_ID, ANCHORED_SIZE, {"from": stranger})


def test_given_an_allowance_when_emissions_eat_into_it_then_each_threshold_warns_once_in_order(
    carbon_accounts: Any, enterprise: bytes, regulator: Any, oracle: KeyedAccount
) -> None:
    carbon_accounts.setAllowance(enterprise, YEAR, 100 * TONNE_G, {"from": regulator})
    quiet = post(carbon_accounts, oracle, enterprise, 79 * TONNE_G)
    assert event_names(quiet) == ["EmissionsPosted"]

    at_20_percent = post(carbon_accounts, oracle, enterprise, 1 * TONNE_G)
    assert event_args(at_20_percent, "BalanceThresholdCrossed") == [
        {"accountId": enterprise, "year": YEAR, "thresholdBps": 2000, "balanceG": 20 * TONNE_G}
    ]

    past_10_and_0 = post(carbon_accounts, oracle, enterprise, 25 * TONNE_G)
    assert event_names(past_10_and_0) == [
        "EmissionsPosted",
        "BalanceThresholdCrossed",
        "BalanceThresholdCrossed",
        "BalanceWentNegative",
    ]
    assert [event["thresholdBps"] for event in event_args(past_10_and_0, "BalanceThresholdCrossed")] == [1000, 0]
    assert event_args(past_10_and_0, "BalanceWentNegative") == [
        {"accountId": enterprise, "year": YEAR, "balanceG": -5 * TONNE_G}
    ]

    deeper = post(carbon_accounts, oracle, enterprise, 1 * TONNE_G)
    assert event_names(deeper) == ["EmissionsPosted"]


def test_given_warnings_when_the_allowance_rises_then_they_are_cleared(
    carbon_accounts: Any, enterprise: bytes, regulator: Any, oracle: KeyedAccount
) -> None:
    carbon_accounts.setAllowance(enterprise, YEAR, 100 * TONNE_G, {"from": regulator})
    post(carbon_accounts, oracle, enterprise, 105 * TONNE_G)
    tx = carbon_accounts.setAllowance(enterprise, YEAR, 120 * TONNE_G, {"from": regulator})
    assert event_names(tx) == ["AllowanceSet", "BalanceWarningsCleared"]
    assert event_args(tx, "BalanceWarningsCleared") == [
        {"accountId": enterprise, "year": YEAR, "thresholdsCrossed": 1, "balanceG": 15 * TONNE_G}
    ]


def test_given_no_allowance_when_emissions_are_posted_then_only_going_negative_warns(
    carbon_accounts: Any, enterprise: bytes, oracle: KeyedAccount
) -> None:
    tx = post(carbon_accounts, oracle, enterprise, 1)
    assert event_names(tx) == ["EmissionsPosted", "BalanceWentNegative"]
    assert event_args(tx, "BalanceWentNegative") == [{"accountId": enterprise, "year": YEAR, "balanceG": -1}]


def test_given_a_caller_without_the_offsets_role_when_crediting_retirements_then_it_is_rejected(
    carbon_accounts: Any, enterprise: bytes, stranger: Any
) -> None:
    role = carbon_accounts.OFFSETS_ROLE()
    with reverts_with(carbon_accounts, "AccessControlUnauthorizedAccount", stranger.address, role):
        carbon_accounts.creditRetiredOffsets(enterprise, YEAR, 1, {"from": stranger})


def test_given_the_offsets_role_when_crediting_retirements_then_the_balance_rises(
    carbon_accounts: Any, enterprise: bytes, admin: Any, stranger: Any, oracle: KeyedAccount
) -> None:
    carbon_accounts.grantRole(carbon_accounts.OFFSETS_ROLE(), stranger, {"from": admin})
    post(carbon_accounts, oracle, enterprise, 3 * TONNE_G)
    tx = carbon_accounts.creditRetiredOffsets(enterprise, YEAR, 4 * TONNE_G, {"from": stranger})
    assert event_names(tx) == ["RetiredOffsetsCredited", "BalanceWarningsCleared"]
    assert event_args(tx, "RetiredOffsetsCredited") == [{"accountId": enterprise, "year": YEAR, "co2eG": 4 * TONNE_G}]
    assert plain(carbon_accounts.yearBook(enterprise, YEAR)) == (0, 3 * TONNE_G, 4 * TONNE_G)
    assert carbon_accounts.balance(enterprise, YEAR) == 1 * TONNE_G


def test_given_default_thresholds_when_read_then_they_are_20_10_and_0_percent(carbon_accounts: Any) -> None:
    assert plain(carbon_accounts.warningThresholds()) == (2000, 1000, 0)


def test_given_the_admin_when_replacing_thresholds_then_they_apply_to_the_next_change(
    carbon_accounts: Any, enterprise: bytes, admin: Any, regulator: Any, oracle: KeyedAccount
) -> None:
    tx = carbon_accounts.setWarningThresholds([5000], {"from": admin})
    assert event_args(tx, "WarningThresholdsSet") == [{"thresholdsBps": (5000,)}]
    carbon_accounts.setAllowance(enterprise, YEAR, 100 * TONNE_G, {"from": regulator})
    crossed = post(carbon_accounts, oracle, enterprise, 50 * TONNE_G)
    assert [event["thresholdBps"] for event in event_args(crossed, "BalanceThresholdCrossed")] == [5000]


@pytest.mark.parametrize(
    ("thresholds", "index", "value"),
    [
        ([2000, 2000], 1, 2000),
        ([1000, 2000], 1, 2000),
        ([10001], 0, 10001),
        ([9000, 8000, 7000, 6000, 5000, 4000, 3000, 2000, 1000], 8, 1000),
    ],
)
def test_given_bad_thresholds_when_set_then_the_offending_one_is_named(
    carbon_accounts: Any, admin: Any, thresholds: list[int], index: int, value: int
) -> None:
    with reverts_with(carbon_accounts, "CarbonAccountsInvalidWarningThreshold", index, value):
        carbon_accounts.setWarningThresholds(thresholds, {"from": admin})


def test_given_a_non_admin_when_setting_thresholds_then_access_control_rejects_it(
    carbon_accounts: Any, regulator: Any
) -> None:
    with reverts_with(carbon_accounts, "AccessControlUnauthorizedAccount", regulator.address, bytes(32)):
        carbon_accounts.setWarningThresholds([1000], {"from": regulator})


def test_given_the_regulator_role_when_derived_then_it_is_keccak_of_name_and_region(carbon_accounts: Any) -> None:
    expected = keccak(encode(["bytes32", "bytes8"], [keccak(text="REGULATOR_ROLE"), REGION]))
    assert bytes(carbon_accounts.regulatorRole(REGION)) == expected


def test_given_a_deployment_when_asked_then_it_names_its_ledger(carbon_accounts: Any, ledger: Any) -> None:
    assert carbon_accounts.ledger() == ledger.address
