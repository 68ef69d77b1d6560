"""Verifier attestations (ISO 14064-3) as signed documents, and their relay to CarbonAttestations.

A verifier signs the EIP-712 `Attestation` (oracle/eip712.py) with `carbonledger attest` or any wallet
(eth_signTypedData_v4) and hands over this document, which anyone may relay:

    {"format": "carbonledger-attestation/1",
     "account": "QZ0001",
     "typed_data": {"types": ..., "primaryType": "Attestation",
                    "domain": {"name": "CarbonLedger", "version": "1", "chainId": 31337,
                               "verifyingContract": "<CarbonAttestations>"},
                    "message": {"accountId": "0x<32 bytes>", "year": 2025, "logId": "0x<32 bytes>",
                                "treeSize": 1000, "assuranceLevel": 1, "materialityBps": 500, "opinion": 0,
                                "reportHash": "0x<32 bytes>", "supersedes": 0, "nonce": 0}},
     "signature": "0x<65 bytes: r, s, v>"}

`accountId` is keccak256("account:" + account) (oracle/chain_ids.py), `logId` keccak256 of the log's origin,
`reportHash` the SHA-256 of the verification statement file, `assuranceLevel` 0 limited / 1 reasonable,
`opinion` 0 unqualified / 1 qualified / 2 adverse, `nonce` the verifier's `CarbonAttestations.nonces(verifier)`.
Integers may be JSON numbers or decimal strings (wallets write uint256 as strings). The document's `types` are
not trusted: the signature is checked over the typed data rebuilt from the message's values.

The relay checks with view calls first, so a document the contract would refuse is rejected with the reason
and nothing is sent: the domain must be this deployment's, the signature must recover to a verifier accredited
in the account's region, the nonce must be the verifier's next, the checkpoint must be anchored; whatever the
contract would still refuse (e.g. superseding an attestation that was superseded already) shows when the
transaction is simulated, before it is signed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys.exceptions import BadSignature
from eth_utils.address import is_address, to_checksum_address
from eth_utils.exceptions import ValidationError as KeyValidationError
from hexbytes import HexBytes
from web3.exceptions import ContractCustomError, ContractLogicError

from ledger.errors import (
    AttestationFormatError,
    AttestationNonceError,
    AttestationRejectedError,
    TypedDataError,
    UnaccreditedVerifierError,
)
from oracle.chain import ContractRevertError, RevertDecoder, TransactionSender
from oracle.chain_ids import account_id
from oracle.eip712 import (
    DOMAIN_NAME,
    DOMAIN_VERSION,
    AssuranceLevel,
    AttestationMessage,
    Opinion,
    SigningDomain,
    sign,
    typed_data,
)
from oracle.roles import ContractSource

ATTESTATION_FORMAT = "carbonledger-attestation/1"
MAX_MATERIALITY_BPS = 10_000
SIGNATURE_BYTES = 65
_HEX32 = re.compile(r"0x[0-9a-fA-F]{64}")
_SIGNATURE = re.compile(r"0x[0-9a-fA-F]{130}")
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,77}")
_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def report_hash(path: Path) -> bytes:
    """The SHA-256 of a verification statement file: what `reportHash` commits to."""
    return hashlib.sha256(path.read_bytes()).digest()


def typed_data_json(domain: SigningDomain, message: AttestationMessage) -> dict[str, Any]:
    """The EIP-712 document with byte fields as 0x-hex, as wallets (eth_signTypedData_v4) and the relay read it."""
    document = typed_data(domain, message)
    document["message"] = {name: "0x" + value.hex() if isinstance(value, bytes) else value
                           for name, value in document["message"].items()}
    return document


@dataclass(frozen=True)
class SignedAttestation:
    """An attestation message for `account`, its EIP-712 domain, and the verifier's 65-byte signature."""

    account: str
    domain: SigningDomain
    message: AttestationMessage
    signature: bytes

    @classmethod
    def signed_by(cls, private_key: bytes, account: str, domain: SigningDomain,
                  message: AttestationMessage) -> SignedAttestation:
        """`message` about `account`, signed with `private_key` (the verifier's)."""
        return cls(account, domain, message, sign(private_key, domain, message))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ATTESTATION_FORMAT,
            "account": self.account,
            "typed_data": typed_data_json(self.domain, self.message),
            "signature": "0x" + self.signature.hex(),
        }

    def signer(self) -> str:
        """The checksummed address the signature recovers to; a changed field recovers to another address."""
        signable = encode_typed_data(full_message=typed_data(self.domain, self.message))
        try:
            return str(Account.recover_message(signable, signature=self.signature))
        except (BadSignature, KeyValidationError, ValueError) as error:
            raise AttestationFormatError("signature", f"is not a valid secp256k1 signature ({error})") from error

    @classmethod
    def from_json(cls, document: object) -> SignedAttestation:
        """Read a signed attestation document; AttestationFormatError names the first field that is wrong."""
        root = _mapping("$", document)
        if root.get("format") != ATTESTATION_FORMAT:
            raise AttestationFormatError("format", f"must be {ATTESTATION_FORMAT!r}")
        account = root.get("account")
        if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
            raise AttestationFormatError("account", "must be the ledger account id, e.g. \"QZ0001\"")
        data = _mapping("typed_data", root.get("typed_data"))
        if data.get("primaryType") != AttestationMessage.PRIMARY_TYPE:
            raise AttestationFormatError("typed_data.primaryType", f"must be {AttestationMessage.PRIMARY_TYPE!r}")
        domain = _domain(_mapping("typed_data.domain", data.get("domain")))
        message = _message(_mapping("typed_data.message", data.get("message")))
        if message.account_id != account_id(account):
            raise AttestationFormatError("typed_data.message.accountId", f"is not the id of account {account!r}")
        signature_text = root.get("signature")
        if not isinstance(signature_text, str) or not _SIGNATURE.fullmatch(signature_text):
            raise AttestationFormatError("signature", f"must be 0x and {2 * SIGNATURE_BYTES} hex digits")
        return cls(account, domain, message, bytes.fromhex(signature_text[2:]))


def _mapping(field: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AttestationFormatError(field, "must be a JSON object")
    return value


def _domain(fields: Mapping[str, Any]) -> SigningDomain:
    where = "typed_data.domain"
    if fields.get("name") != DOMAIN_NAME or fields.get("version") != DOMAIN_VERSION:
        raise AttestationFormatError(where, f"must have name {DOMAIN_NAME!r} and version {DOMAIN_VERSION!r}")
    contract = fields.get("verifyingContract")
    if not isinstance(contract, str) or not is_address(contract):
        raise AttestationFormatError(f"{where}.verifyingContract", "must be a 20-byte hex address")
    try:
        return SigningDomain(_integer(f"{where}.chainId", fields.get("chainId")), to_checksum_address(contract))
    except TypedDataError as error:
        raise AttestationFormatError(f"{where}.{error.field}", error.reason) from error


_MESSAGE_FIELDS = {field["name"]: field["type"] for field in AttestationMessage.FIELDS}


def _message(fields: Mapping[str, Any]) -> AttestationMessage:
    where = "typed_data.message"
    missing = [name for name in _MESSAGE_FIELDS if name not in fields]
    if missing:
        raise AttestationFormatError(f"{where}.{missing[0]}", "is missing")
    values: dict[str, Any] = {}
    for name, solidity_type in _MESSAGE_FIELDS.items():
        field = f"{where}.{name}"
        if solidity_type == "bytes32":
            text = fields[name]
            if not isinstance(text, str) or not _HEX32.fullmatch(text):
                raise AttestationFormatError(field, "must be 0x and 64 hex digits")
            values[name] = bytes.fromhex(text[2:])
        else:
            bits = int(solidity_type.removeprefix("uint"))
            values[name] = _integer(field, fields[name])
            if not 0 <= values[name] < 1 << bits:
                raise AttestationFormatError(field, f"must be an integer in [0, 2**{bits})")
    if values["materialityBps"] > MAX_MATERIALITY_BPS:
        raise AttestationFormatError(f"{where}.materialityBps", f"must be at most {MAX_MATERIALITY_BPS} (100%)")
    try:
        assurance, opinion = AssuranceLevel(values["assuranceLevel"]), Opinion(values["opinion"])
    except ValueError as error:
        raise AttestationFormatError(where, "assuranceLevel must be 0 or 1 and opinion 0, 1 or 2") from error
    return AttestationMessage(
        values["accountId"], values["year"], values["logId"], values["treeSize"], assurance,
        values["materialityBps"], opinion, values["reportHash"], values["supersedes"], values["nonce"],
    )


def _integer(field: str, value: object) -> int:
    if isinstance(value, bool):
        raise AttestationFormatError(field, "must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        return int(value)
    raise AttestationFormatError(field, "must be a whole number, as a JSON number or a decimal string")


@dataclass(frozen=True)
class RelayedAttestation:
    attestation_id: int
    verifier: str
    tx_hash: bytes


@dataclass(frozen=True)
class AttestationRelay:
    """Checks signed attestations against one deployment and sends them to CarbonAttestations.attest."""

    attestations: Any
    accounts: Any
    ledger: Any
    chain_id: int
    decoder: RevertDecoder

    @classmethod
    def of(cls, contracts: ContractSource, chain_id: int, decoder: RevertDecoder) -> AttestationRelay:
        return cls(contracts.contract("CarbonAttestations"), contracts.contract("CarbonAccounts"),
                   contracts.contract("CarbonLedger"), chain_id, decoder)

    def check(self, signed: SignedAttestation) -> str:
        """The accredited verifier who signed; AttestationRejectedError (nothing is sent) if the chain would refuse."""
        domain = signed.domain
        if (domain.chain_id, domain.verifying_contract) != (self.chain_id, self.attestations.address):
            raise AttestationRejectedError(
                f"typed_data.domain: signed for CarbonAttestations {domain.verifying_contract} on chain "
                f"{domain.chain_id}, but this ledger's is {self.attestations.address} on chain {self.chain_id}"
            )
        verifier = signed.signer()
        message = signed.message
        region = self._view(f"account {signed.account}", self.accounts.functions.account(message.account_id))[2]
        role = self._view("verifierRole", self.attestations.functions.verifierRole(region))
        region_text = bytes(region).rstrip(b"\x00").decode("ascii", errors="replace")
        if not self._view("hasRole", self.attestations.functions.hasRole(role, verifier)):
            raise UnaccreditedVerifierError(
                f"signature: recovers to {verifier}, which is not a verifier accredited in region {region_text}: "
                "signed with another key, or a field was changed after signing"
            )
        expected_nonce = self._view("nonces", self.attestations.functions.nonces(verifier))
        if message.nonce != expected_nonce:
            raise AttestationNonceError(
                f"typed_data.message.nonce: {message.nonce}, but verifier {verifier}'s next nonce is {expected_nonce}: "
                "this attestation was relayed already, or another was signed since; sign it again"
            )
        self._view(f"typed_data.message.treeSize: checkpoint {message.tree_size} of the log",
                   self.ledger.functions.rootAt(message.log_id, message.tree_size))
        return verifier

    def relay(self, signed: SignedAttestation, sender: TransactionSender) -> RelayedAttestation:
        """Check, then send `attest` from `sender`'s account and wait for it; the id the contract gave it."""
        verifier = self.check(signed)
        call = self.attestations.functions.attest(signed.message.as_struct(), signed.signature)
        try:
            row = sender.send(f"attest:0x{signed.signature.hex()}", call)
        except ContractRevertError as error:
            raise AttestationRejectedError(f"the contract refuses the attestation: {error}") from error
        receipt = sender.w3.eth.get_transaction_receipt(HexBytes(row.tx_hash))
        recorded = self.attestations.events.AttestationRecorded().process_receipt(receipt)
        return RelayedAttestation(int(recorded[0]["args"]["attestationId"]), verifier, row.tx_hash)

    def _view(self, subject: str, call: Any) -> Any:
        try:
            return call.call()
        except (ContractCustomError, ContractLogicError) as error:
            raise AttestationRejectedError(f"{subject}: {self.decoder.from_exception(error)}") from error
