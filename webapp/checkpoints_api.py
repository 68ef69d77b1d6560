"""/api/v1/checkpoints: the log's anchored checkpoints, each with its anchoring transaction and consistency proof."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from webapp.checkpoints_access import anchored
from webapp.checkpoints_views import checkpoint_at, checkpoint_listing
from webapp.ledger_access import current_log
from webapp.parameters import DEFAULT_LISTING_LIMIT, MAX_LISTING_LIMIT, optional_int_parameter

blueprint = Blueprint("checkpoints_api", __name__, url_prefix="/api/v1/checkpoints")


@blueprint.get("")
def checkpoints() -> dict[str, Any]:
    """Anchored checkpoints newest first, of tree sizes below `before` if given; `next_before` continues."""
    before = optional_int_parameter("before")
    limit = optional_int_parameter("limit", minimum=1, maximum=MAX_LISTING_LIMIT)
    return checkpoint_listing(current_log(), anchored(), before, DEFAULT_LISTING_LIMIT if limit is None else limit)


@blueprint.get("/<int:tree_size>")
def checkpoint(tree_size: int) -> dict[str, Any]:
    return checkpoint_at(current_log(), anchored(), tree_size)
