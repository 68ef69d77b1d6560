"""What the explorer says about records, as JSON-ready dicts: the API returns them, the pages render them."""

from __future__ import annotations

from typing import Any

from ledger.log import MerkleLog
from webapp.api_json import code_json, hash_json, proof_json, tree_head_json
from webapp.record_lookup import LoggedRecord, RecordFilter, record_by_code, scan_records


def record_summary(logged: LoggedRecord) -> dict[str, Any]:
    """One line of a listing."""
    record = logged.record
    return {
        "code": record.code,
        "leaf_index": logged.leaf_index,
        "account": record.account,
        "facility": record.facility,
        "period": record.period,
        "scope": record.scope,
        "source": record.source,
        "co2e_g": record.co2e_g,
        "biogenic_co2_g": record.biogenic_co2_g,
    }


def record_listing(log: MerkleLog, record_filter: RecordFilter, start: int, limit: int) -> dict[str, Any]:
    page = scan_records(log, record_filter, start, limit)
    return {"records": [record_summary(logged) for logged in page.records], "next_start": page.next_start}


def record_detail(log: MerkleLog, code_text: str) -> dict[str, Any]:
    """The record with its canonical text, decoded 3D code, leaf hash and proof against the latest tree head."""
    head = log.tree_head()
    code, logged = record_by_code(log, code_text, head.tree_size)
    return {
        "code": code.text,
        "record": logged.record.to_json_object(),
        "canonical_json": logged.entry.decode("utf-8"),
        "decoded_code": code_json(code),
        "leaf_index": logged.leaf_index,
        **hash_json("leaf_hash", logged.leaf_hash),
        "tree_head": tree_head_json(head),
        "inclusion": proof_json(log.inclusion_proof(logged.leaf_index, head.tree_size)),
    }

