"""/api/v1/records: records by 3D code, their proof bundles, and a paged listing by account and period."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from webapp.ledger_access import current_log
from webapp.parameters import listing_parameters
from webapp.proof_bundle import record_bundle
from webapp.record_views import record_detail, record_listing

blueprint = Blueprint("api_records", __name__, url_prefix="/api/v1/records")


@blueprint.get("")
def records() -> dict[str, Any]:
    """Records in log order from leaf index `start`, filtered by `account` and by `period` (which contains theirs)."""
    record_filter, start, limit = listing_parameters()
    return record_listing(current_log(), record_filter, start, limit)


@blueprint.get("/<code>")
def record(code: str) -> dict[str, Any]:
    return record_detail(current_log(), code)


@blueprint.get("/<code>/bundle")
def bundle(code: str) -> dict[str, Any]:
    return record_bundle(code).to_json()
