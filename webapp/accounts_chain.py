"""What the chain says about carbon accounts, as JSON-ready dicts: year books, warnings, attestations.

Everything is read through the app's ChainReader (cached per block); an account id on chain is
keccak256("account:" + account) (oracle/chain_ids.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from oracle.chain import ContractRevertError
from oracle.chain_ids import account_id
from oracle.eip712 import AssuranceLevel, Opinion, log_id
from webapp.chain_reader import ChainReader

WARNING_EVENTS = {
    "BalanceThresholdCrossed": "threshold crossed",
    "BalanceWentNegative": "balance went negative",
    "BalanceWarningsCleared": "warnings cleared",
}
_LEVELS = ("region", "park", "enterprise", "facility")


def year_book(reader: ChainReader, account: str, year: int) -> dict[str, int]:
    """The account's allowance, emissions and retired offsets for `year`, and its balance, in grams CO2e."""
    identifier = account_id(account)
    allowance_g, emissions_g, retired_offsets_g = reader.view("CarbonAccounts", "yearBook", identifier, year)
    return {
        "allowance_g": int(allowance_g),
        "emissions_g": int(emissions_g),
        "retired_offsets_g": int(retired_offsets_g),
        "balance_g": int(reader.view("CarbonAccounts", "balance", identifier, year)),
    }


def registration(reader: ChainReader, account: str) -> dict[str, Any] | None:
    """The account as registered on chain (owner, level, region, industry), or None if it is not."""
    try:
        owner, level, region, industry, _ = reader.view("CarbonAccounts", "account", account_id(account))
    except ContractRevertError:
        return None
    return {"owner": owner, "level": _LEVELS[level], "region": _code_text(region), "industry": _code_text(industry)}


def warning_thresholds_bps(reader: ChainReader) -> list[int]:
    return [int(threshold) for threshold in reader.view("CarbonAccounts", "warningThresholds")]


def warnings(reader: ChainReader, accounts: Sequence[str], year: int) -> list[dict[str, Any]]:
    """The balance warnings of `accounts` for `year`, oldest first."""
    if not accounts:
        return []
    by_id = {account_id(account): account for account in accounts}
    found = []
    for event, kind in WARNING_EVENTS.items():
        for log in reader.events("CarbonAccounts", event, accountId=list(by_id), year=year):
            arguments = log["args"]
            found.append({
                "account": by_id[bytes(arguments["accountId"])],
                "kind": kind,
                "year": int(arguments["year"]),
                "threshold_bps": arguments.get("thresholdBps"),
                "thresholds_still_crossed": arguments.get("thresholdsCrossed"),
                "balance_g": int(arguments["balanceG"]),
                "block_number": log["block_number"],
                "log_index": log["log_index"],
                "tx_hash": log["tx_hash"],
            })
    return sorted(found, key=lambda warning: (warning["block_number"], warning["log_index"]))


def attestations(reader: ChainReader, account: str) -> list[dict[str, Any]]:
    """The attestations recorded for the account, oldest first, each with its successor if superseded."""
    recorded = []
    for log in reader.events("CarbonAttestations", "AttestationRecorded", accountId=account_id(account)):
        attestation_id = int(log["args"]["attestationId"])
        (_, log_identifier, report_hash, verifier, tree_size, year, materiality_bps, assurance, opinion, supersedes,
         superseded_by) = reader.view("CarbonAttestations", "attestation", attestation_id)
        recorded.append({
            "id": attestation_id,
            "year": int(year),
            "verifier": verifier,
            "log_id": "0x" + bytes(log_identifier).hex(),
            "tree_size": int(tree_size),
            "assurance": AssuranceLevel(assurance).name.lower(),
            "materiality_bps": int(materiality_bps),
            "opinion": Opinion(opinion).name.lower(),
            "report_hash": "0x" + bytes(report_hash).hex(),
            "supersedes": int(supersedes) or None,
            "superseded_by": int(superseded_by) or None,
            "block_number": log["block_number"],
            "tx_hash": log["tx_hash"],
        })
    return recorded


def anchored_tree_size(reader: ChainReader, origin: str) -> int:
    """The size of the log's latest checkpoint anchored on chain (0: none yet)."""
    return int(reader.view("CarbonLedger", "latestHead", log_id(origin))[0])


def year_books(reader: ChainReader, accounts: Sequence[str], year: int) -> Mapping[str, dict[str, int]]:
    return {account: year_book(reader, account, year) for account in accounts}


def _code_text(code: bytes) -> str:
    return bytes(code).rstrip(b"\x00").decode("ascii", errors="replace")
