"""CarbonAttestations: accredited verifiers' signed opinions on an inventory, relayable, superseded but never erased."""

from __future__ import annotations

import dataclasses
from typing import Any

import brownie
import pytest
from eth_utils import keccak

from ledger.log import MerkleLog
from oracle.eip712 import AssuranceLevel, AttestationMessage, Opinion, SigningDomain, digest, sign
from tests.contracts.conftest import (
    ANCHORED_SIZE,
    LOG_ID,
    OTHER_REGION,
    REGION,
    YEAR,
    KeyedAccount,
    account_id,
    event_args,
    plain,
    reverts_with,
)

REPORT_HASH = keccak(text="verification report 2025")


@pytest.fixture(scope="module")
def attestation_domain(attestations: Any) -> SigningDomain:
    return SigningDomain(brownie.chain.id, str(attestations.address))


@pytest.fixture
def enterprise(hierarchy: dict[str, bytes], anchored_log: MerkleLog) -> bytes:
    return hierarchy["enterprise"]


def statement(attestations: Any, signer: KeyedAccount, account: bytes, **changes: Any) -> AttestationMessage:
    """A reasonable-assurance, unqualified attestation at the anchored checkpoint, with the signer's next nonce."""
    base = AttestationMessage(
        account_id=account,
        year=YEAR,
        log_id=LOG_ID,
        tree_size=ANCHORED_SIZE,
        assurance_level=AssuranceLevel.REASONABLE,
        materiality_bps=500,
        opinion=Opinion.UNQUALIFIED,
        report_hash=REPORT_HASH,
        supersedes=0,
        nonce=attestations.nonces(signer.address),
    )
    return dataclasses.replace(base, **changes)


def relay(
    attestations: Any, domain: SigningDomain, signer: KeyedAccount, message: AttestationMessage, relayer: Any
) -> Any:
    signature = sign(signer.private_key, domain, message)
    return attestations.attest(message.as_struct(), signature, {"from": relayer})


def test_given_an_attestation_when_hashed_then_contract_and_python_digests_agree(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes
) -> None:
    message = statement(attestations, verifier, enterprise)
    assert bytes(attestations.attestationDigest(message.as_struct())) == digest(attestation_domain, message)


def test_given_an_accredited_verifier_when_its_signed_attestation_is_relayed_then_it_is_recorded(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    message = statement(attestations, verifier, enterprise)
    tx = relay(attestations, attestation_domain, verifier, message, relayer)
    assert event_args(tx, "AttestationRecorded") == [
        {"attestationId": 1, "accountId": enterprise, "verifier": verifier.address, "attestation": message.as_struct()}
    ]
    assert tx.return_value == 1
    assert plain(attestations.attestation(1)) == (
        enterprise,
        LOG_ID,
        REPORT_HASH,
        verifier.address,
        ANCHORED_SIZE,
        YEAR,
        500,
        int(AssuranceLevel.REASONABLE),
        int(Opinion.UNQUALIFIED),
        0,
        0,
    )
    assert attestations.attestationCount() == 1
    assert attestations.nonces(verifier.address) == 1


def test_given_a_recorded_attestation_when_its_signature_is_replayed_then_the_nonce_rejects_it(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    message = statement(attestations, verifier, enterprise)
    signature = sign(verifier.private_key, attestation_domain, message)
    attestations.attest(message.as_struct(), signature, {"from": relayer})
    with reverts_with(attestations, "InvalidAccountNonce", verifier.address, 1):
        attestations.attest(message.as_struct(), signature, {"from": relayer})


def test_given_an_unaccredited_signer_when_attesting_then_access_control_rejects_it(
    attestations: Any, attestation_domain: SigningDomain, rogue: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    message = statement(attestations, rogue, enterprise)
    with reverts_with(
        attestations, "AccessControlUnauthorizedAccount", rogue.address, attestations.verifierRole(REGION)
    ):
        relay(attestations, attestation_domain, rogue, message, relayer)


def test_given_a_verifier_of_another_region_when_attesting_here_then_access_control_rejects_it(
    attestations: Any,
    carbon_accounts: Any,
    attestation_domain: SigningDomain,
    admin: Any,
    stranger: Any,
    rogue: KeyedAccount,
    enterprise: bytes,
    relayer: Any,
) -> None:
    carbon_accounts.grantRole(carbon_accounts.regulatorRole(OTHER_REGION), stranger, {"from": admin})
    attestations.accreditVerifier(OTHER_REGION, rogue.address, {"from": stranger})
    message = statement(attestations, rogue, enterprise)
    with reverts_with(
        attestations, "AccessControlUnauthorizedAccount", rogue.address, attestations.verifierRole(REGION)
    ):
        relay(attestations, attestation_domain, rogue, message, relayer)


def test_given_a_withdrawn_accreditation_when_the_verifier_attests_then_it_is_rejected(
    attestations: Any,
    attestation_domain: SigningDomain,
    regulator: Any,
    verifier: KeyedAccount,
    enterprise: bytes,
    relayer: Any,
) -> None:
    tx = attestations.withdrawAccreditation(REGION, verifier.address, {"from": regulator})
    role = attestations.verifierRole(REGION)
    assert event_args(tx, "RoleRevoked") == [
        {"role": bytes(role), "account": verifier.address, "sender": regulator.address}
    ]
    with reverts_with(attestations, "AccessControlUnauthorizedAccount", verifier.address, role):
        relay(attestations, attestation_domain, verifier, statement(attestations, verifier, enterprise), relayer)


def test_given_a_regulator_when_accrediting_then_the_verifier_role_is_granted(
    attestations: Any, regulator: Any, rogue: KeyedAccount
) -> None:
    role = attestations.verifierRole(REGION)
    tx = attestations.accreditVerifier(REGION, rogue.address, {"from": regulator})
    assert event_args(tx, "RoleGranted") == [
        {"role": bytes(role), "account": rogue.address, "sender": regulator.address}
    ]
    assert attestations.hasRole(role, rogue.address)


@pytest.mark.parametrize("action", ["accreditVerifier", "withdrawAccreditation"])
def test_given_no_regulator_of_the_region_when_managing_accreditations_then_it_is_rejected(
    attestations: Any, carbon_accounts: Any, regulator: Any, rogue: KeyedAccount, action: str
) -> None:
    role = carbon_accounts.regulatorRole(OTHER_REGION)
    with reverts_with(attestations, "AccessControlUnauthorizedAccount", regulator.address, role):
        getattr(attestations, action)(OTHER_REGION, rogue.address, {"from": regulator})


def test_given_a_materiality_over_100_percent_when_attesting_then_it_is_rejected(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    message = statement(attestations, verifier, enterprise, materiality_bps=10_001)
    with reverts_with(attestations, "CarbonAttestationsInvalidMateriality", 10_001):
        relay(attestations, attestation_domain, verifier, message, relayer)


def test_given_a_checkpoint_not_anchored_when_attesting_then_the_ledger_rejects_it(
    attestations: Any,
    ledger: Any,
    attestation_domain: SigningDomain,
    verifier: KeyedAccount,
    enterprise: bytes,
    relayer: Any,
) -> None:
    message = statement(attestations, verifier, enterprise, tree_size=ANCHORED_SIZE + 1)
    with reverts_with(ledger, "CarbonLedgerCheckpointNotAnchored", LOG_ID, ANCHORED_SIZE + 1):
        relay(attestations, attestation_domain, verifier, message, relayer)


def test_given_an_unregistered_account_when_attesting_then_the_accounts_contract_rejects_it(
    attestations: Any,
    carbon_accounts: Any,
    attestation_domain: SigningDomain,
    verifier: KeyedAccount,
    anchored_log: MerkleLog,
    relayer: Any,
) -> None:
    message = statement(attestations, verifier, account_id("nobody"))
    with reverts_with(carbon_accounts, "CarbonAccountsUnknownAccount", account_id("nobody")):
        relay(attestations, attestation_domain, verifier, message, relayer)


def test_given_an_attestation_when_a_later_one_supersedes_it_then_both_stay_readable_and_linked(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    relay(attestations, attestation_domain, verifier, statement(attestations, verifier, enterprise), relayer)
    later = statement(attestations, verifier, enterprise, opinion=Opinion.QUALIFIED, supersedes=1)
    tx = relay(attestations, attestation_domain, verifier, later, relayer)
    assert event_args(tx, "AttestationRecorded")[0]["attestation"] == later.as_struct()
    first, second = plain(attestations.attestation(1)), plain(attestations.attestation(2))
    assert (first[8], first[9], first[10]) == (int(Opinion.UNQUALIFIED), 0, 2)
    assert (second[8], second[9], second[10]) == (int(Opinion.QUALIFIED), 1, 0)


def test_given_an_unknown_attestation_when_superseded_or_read_then_it_is_rejected(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    message = statement(attestations, verifier, enterprise, supersedes=9)
    with reverts_with(attestations, "CarbonAttestationsUnknownAttestation", 9):
        relay(attestations, attestation_domain, verifier, message, relayer)
    with reverts_with(attestations, "CarbonAttestationsUnknownAttestation", 9):
        attestations.attestation(9)


def test_given_an_attestation_of_another_year_when_superseded_then_the_inventories_mismatch(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    relay(attestations, attestation_domain, verifier, statement(attestations, verifier, enterprise), relayer)
    message = statement(attestations, verifier, enterprise, year=YEAR + 1, supersedes=1)
    with reverts_with(attestations, "CarbonAttestationsInventoryMismatch", 1, enterprise, YEAR + 1):
        relay(attestations, attestation_domain, verifier, message, relayer)


def test_given_a_superseded_attestation_when_superseded_again_then_only_its_successor_may_be(
    attestations: Any, attestation_domain: SigningDomain, verifier: KeyedAccount, enterprise: bytes, relayer: Any
) -> None:
    relay(attestations, attestation_domain, verifier, statement(attestations, verifier, enterprise), relayer)
    relay(
        attestations, attestation_domain, verifier, statement(attestations, verifier, enterprise, supersedes=1), relayer
    )
    with reverts_with(attestations, "CarbonAttestationsAlreadySuperseded", 1, 2):
        relay(
            attestations,
            attestation_domain,
            verifier,
            statement(attestations, verifier, enterprise, supersedes=1),
            relayer,
        )
