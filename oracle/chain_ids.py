"""How ledger names become chain identifiers: account ids (bytes32) and region and industry codes (bytes8)."""

from __future__ import annotations

from eth_utils import keccak

from ledger.errors import LedgerError


class ChainIdError(LedgerError, ValueError):
    """A name cannot become a chain identifier."""


def account_id(account: str) -> bytes:
    """The bytes32 id of a ledger account on chain: keccak256 of "account:" and the account id."""
    if not account:
        raise ChainIdError("account id is empty")
    return keccak(text=f"account:{account}")


def short_code(text: str) -> bytes:
    """A region or industry code as bytes8: up to 8 ASCII characters, right-padded with zero bytes."""
    encoded = text.encode("ascii", errors="strict") if text.isascii() else b""
    if not encoded or len(encoded) > 8:
        raise ChainIdError(f"code {text!r} must be 1 to 8 ASCII characters")
    return encoded.ljust(8, b"\x00")
