"""EIP-712 typed data for the two signatures the contracts check: checkpoints and verifier attestations.

An oracle signs a `CheckpointMessage` for `CarbonLedger.anchor`; an accredited verifier signs an
`AttestationMessage` for `CarbonAttestations.attest`. Both are relayable: whoever holds the signature may send
the transaction. The domain binds name, version, chain id and the verifying contract's address, so a signature
is good for one deployment on one chain only. The type strings here must match the contracts' type hashes
(tests check the digests against the contracts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.address import is_checksum_address
from eth_utils.crypto import keccak

from ledger.errors import TypedDataError

DOMAIN_NAME = "CarbonLedger"
DOMAIN_VERSION = "1"

_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

JSON = dict[str, Any]


def log_id(origin: str) -> bytes:
    """The bytes32 id that names the log with this origin on chain: keccak256 of the UTF-8 origin."""
    return bytes(keccak(text=origin))


@dataclass(frozen=True)
class SigningDomain:
    """The EIP-712 domain of one deployed contract: chain id and the contract's checksummed address."""

    chain_id: int
    verifying_contract: str

    def __post_init__(self) -> None:
        _check_uint("chain_id", self.chain_id, 256)
        if not is_checksum_address(self.verifying_contract):
            raise TypedDataError("verifying_contract", "must be a checksummed 20-byte hex address")

    def as_json(self) -> JSON:
        return {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }


class AssuranceLevel(IntEnum):
    """ISO 14064-3 level of assurance; the values are the Solidity enum's."""

    LIMITED = 0
    REASONABLE = 1


class Opinion(IntEnum):
    """The verifier's conclusion on the inventory; the values are the Solidity enum's."""

    UNQUALIFIED = 0
    QUALIFIED = 1
    ADVERSE = 2


@dataclass(frozen=True)
class CheckpointMessage:
    """A log's tree head as an oracle signs it. `timestamp` is Unix seconds at signing."""

    PRIMARY_TYPE: ClassVar[str] = "Checkpoint"
    FIELDS: ClassVar[list[dict[str, str]]] = [
        {"name": "logId", "type": "bytes32"},
        {"name": "treeSize", "type": "uint64"},
        {"name": "rootHash", "type": "bytes32"},
        {"name": "timestamp", "type": "uint64"},
        {"name": "metadataHash", "type": "bytes32"},
    ]

    log_id: bytes
    tree_size: int
    root_hash: bytes
    timestamp: int
    metadata_hash: bytes

    def __post_init__(self) -> None:
        _check_bytes32("log_id", self.log_id)
        _check_uint("tree_size", self.tree_size, 64)
        _check_bytes32("root_hash", self.root_hash)
        _check_uint("timestamp", self.timestamp, 64)
        _check_bytes32("metadata_hash", self.metadata_hash)

    def as_struct(self) -> tuple[bytes, int, bytes, int, bytes]:
        """The message as the contract's `Checkpoint` struct argument (fields in declaration order)."""
        return (self.log_id, self.tree_size, self.root_hash, self.timestamp, self.metadata_hash)


@dataclass(frozen=True)
class AttestationMessage:
    """A verifier's opinion on an account's inventory for a year, as of a log checkpoint (ISO 14064-3).

    `supersedes` is the id of the earlier attestation this one replaces (0 for none); `nonce` is the verifier's
    next nonce in the attestations contract (`nonces(verifier)`).
    """

    PRIMARY_TYPE: ClassVar[str] = "Attestation"
    FIELDS: ClassVar[list[dict[str, str]]] = [
        {"name": "accountId", "type": "bytes32"},
        {"name": "year", "type": "uint16"},
        {"name": "logId", "type": "bytes32"},
        {"name": "treeSize", "type": "uint64"},
        {"name": "assuranceLevel", "type": "uint8"},
        {"name": "materialityBps", "type": "uint16"},
        {"name": "opinion", "type": "uint8"},
        {"name": "reportHash", "type": "bytes32"},
        {"name": "supersedes", "type": "uint64"},
        {"name": "nonce", "type": "uint256"},
    ]

    account_id: bytes
    year: int
    log_id: bytes
    tree_size: int
    assurance_level: AssuranceLevel
    materiality_bps: int
    opinion: Opinion
    report_hash: bytes
    supersedes: int
    nonce: int

    def __post_init__(self) -> None:
        _check_bytes32("account_id", self.account_id)
        _check_uint("year", self.year, 16)
        _check_bytes32("log_id", self.log_id)
        _check_uint("tree_size", self.tree_size, 64)
        if not isinstance(self.assurance_level, AssuranceLevel):
            raise TypedDataError("assurance_level", "must be an AssuranceLevel")
        _check_uint("materiality_bps", self.materiality_bps, 16)
        if not isinstance(self.opinion, Opinion):
            raise TypedDataError("opinion", "must be an Opinion")
        _check_bytes32("report_hash", self.report_hash)
        _check_uint("supersedes", self.supersedes, 64)
        _check_uint("nonce", self.nonce, 256)

    def as_struct(self) -> tuple[bytes, int, bytes, int, int, int, int, bytes, int, int]:
        """The message as the contract's `Attestation` struct argument (fields in declaration order)."""
        return (
            self.account_id,
            self.year,
            self.log_id,
            self.tree_size,
            int(self.assurance_level),
            self.materiality_bps,
            int(self.opinion),
            self.report_hash,
            self.supersedes,
            self.nonce,
        )


Message = CheckpointMessage | AttestationMessage


def typed_data(domain: SigningDomain, message: Message) -> JSON:
    """The full EIP-712 document (types, primaryType, domain, message), as wallets' signTypedData_v4 take it."""
    values = message.as_struct()
    return {
        "types": {"EIP712Domain": _DOMAIN_FIELDS, message.PRIMARY_TYPE: message.FIELDS},
        "primaryType": message.PRIMARY_TYPE,
        "domain": domain.as_json(),
        "message": {field["name"]: value for field, value in zip(message.FIELDS, values, strict=True)},
    }


def digest(domain: SigningDomain, message: Message) -> bytes:
    """The 32-byte EIP-712 digest the signer signs: keccak256(0x1901 || domainSeparator || structHash)."""
    signable = encode_typed_data(full_message=typed_data(domain, message))
    return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))


def sign(private_key: bytes, domain: SigningDomain, message: Message) -> bytes:
    """A 65-byte signature r || s || v (v in {27, 28}) over the message's EIP-712 digest."""
    signed = Account.sign_message(encode_typed_data(full_message=typed_data(domain, message)), private_key)
    return bytes(signed.signature)


def _check_bytes32(field: str, value: bytes) -> None:
    if not isinstance(value, bytes) or len(value) != 32:
        raise TypedDataError(field, "must be exactly 32 bytes")


def _check_uint(field: str, value: int, bits: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise TypedDataError(field, f"must be an integer in [0, 2**{bits})")
