"""Decentralised identifiers of actors: `did:pkh:eip155:<chain id>:<address>`, a did:pkh over CAIP-10.

Every actor (oracle, enterprise, verifier, regulator) is an Ethereum key; its DID names that key's address
on one EVM chain. The text form is strict: the chain id in decimal without leading zeros, the address with
its `0x` and in its EIP-55 checksum form, so each DID has exactly one spelling and two DIDs name the same
account exactly when they are equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eth_utils.address import to_checksum_address

from identity.errors import DidError

PREFIX = "did:pkh:"
NAMESPACE = "eip155"
# CAIP-2 allows a chain reference of up to 32 characters; for eip155 it is the decimal chain id.
_CHAIN_ID = re.compile(r"[1-9][0-9]{0,31}")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True)
class Did:
    """A did:pkh:eip155 identifier: a chain id and an EIP-55 checksummed address."""

    chain_id: int
    address: str

    def __post_init__(self) -> None:
        if type(self.chain_id) is not int or _CHAIN_ID.fullmatch(str(self.chain_id)) is None:
            raise DidError(f"chain id: {self.chain_id!r} must be a positive integer of at most 32 digits")
        if not isinstance(self.address, str) or _ADDRESS.fullmatch(self.address) is None:
            raise DidError(f"address: {str(self.address)[:60]!r} must be 0x and 40 hex digits")
        checksummed = to_checksum_address(self.address)
        if self.address != checksummed:
            raise DidError(f"address: {self.address} is not in EIP-55 checksum form ({checksummed})")

    @classmethod
    def for_address(cls, chain_id: int, address: str) -> Did:
        """The DID of `address` on chain `chain_id`; the address may be written in any letter case."""
        if not isinstance(address, str) or _ADDRESS.fullmatch(address) is None:
            raise DidError(f"address: {str(address)[:60]!r} must be 0x and 40 hex digits")
        return cls(chain_id, to_checksum_address(address))

    @classmethod
    def parse(cls, text: str) -> Did:
        """The DID written as `text`; DidError saying which part is wrong."""
        if not isinstance(text, str):
            raise DidError(f"expected DID text, got {type(text).__name__}")
        if not text.startswith(PREFIX):
            raise DidError(f"{text[:80]!r} does not start with {PREFIX!r}")
        parts = text[len(PREFIX) :].split(":")
        if len(parts) != 3:
            raise DidError(f"{text[:80]!r} is not {PREFIX}{NAMESPACE}:<chain id>:<address>")
        namespace, chain_id_text, address = parts
        if namespace != NAMESPACE:
            raise DidError(f"namespace: {namespace[:20]!r} is not {NAMESPACE!r}")
        if _CHAIN_ID.fullmatch(chain_id_text) is None:
            raise DidError(f"chain id: {chain_id_text[:40]!r} must be decimal digits without leading zeros")
        return cls(int(chain_id_text), address)

    @property
    def account_id(self) -> str:
        """The CAIP-10 account id: `eip155:<chain id>:<address>`."""
        return f"{NAMESPACE}:{self.chain_id}:{self.address}"

    def __str__(self) -> str:
        return PREFIX + self.account_id
