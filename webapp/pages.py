"""The explorer's pages: overview, records, one record, anchored checkpoints, search and the in-browser verify page.

All read-only.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ledger.code import ThreeDCode
from ledger.errors import EntryNotFoundError, RequestError
from webapp.api_json import tree_head_json
from webapp.checkpoints_access import anchored, chain_config
from webapp.checkpoints_views import checkpoint_at, checkpoint_listing, checkpoint_of_transaction
from webapp.ledger_access import checkpoint_signer, current_log
from webapp.parameters import (
    DEFAULT_LISTING_LIMIT,
    MAX_ACCOUNT_LENGTH,
    MAX_LISTING_LIMIT,
    decode_hash,
    listing_parameters,
    optional_int_parameter,
    text_parameter,
)
from webapp.record_lookup import record_at
from webapp.record_views import record_detail, record_listing

blueprint = Blueprint("pages", __name__)

_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")
_TX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_GRAMS_PER_TONNE = Decimal(1_000_000)


@blueprint.app_template_filter("tonnes")
def tonnes(grams: int) -> str:
    """Grams as tonnes with three decimals, for display only (the ledger's figures stay integer grams)."""
    return f"{(Decimal(grams) / _GRAMS_PER_TONNE).quantize(Decimal('0.001')):,}"


@blueprint.app_template_filter("pretty_json")
def pretty_json(value: object) -> str:
    """JSON indented for reading; the page escapes it like any text (unlike `tojson`, which targets scripts)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@blueprint.get("/")
def overview() -> str:
    head = current_log().tree_head()
    checkpoints = anchored()
    signer = checkpoint_signer()
    return render_template(
        "overview.html",
        tree_head=tree_head_json(head),
        chain=chain_config(),
        latest=checkpoints[-1].to_json() if checkpoints else None,
        anchored_count=len(checkpoints),
        verifier_key=None if signer is None else signer.verifier.key_string(),
        rpc_url=current_app.config["RPC_URL"],
        deployment_file=Path(current_app.config["DEPLOYMENT_FILE"]),
    )


@blueprint.get("/records")
def records() -> str:
    record_filter, start, limit = listing_parameters()
    listing = record_listing(current_log(), record_filter, start, limit)
    return render_template(
        "records.html",
        listing=listing,
        account=record_filter.account,
        period=None if record_filter.period is None else record_filter.period.text,
        limit=limit,
    )


@blueprint.get("/records/<code>")
def record(code: str) -> str | Response:
    detail = record_detail(current_log(), code)
    if detail["code"] != code:
        return redirect(url_for("pages.record", code=detail["code"]))
    return render_template("record.html", detail=detail)


@blueprint.get("/checkpoints")
def checkpoints() -> str:
    before = optional_int_parameter("before")
    limit = optional_int_parameter("limit", minimum=1, maximum=MAX_LISTING_LIMIT) or DEFAULT_LISTING_LIMIT
    listing = checkpoint_listing(current_log(), anchored(), before, limit)
    return render_template("checkpoints.html", listing=listing, chain=chain_config(), limit=limit)


@blueprint.get("/checkpoints/<int:tree_size>")
def checkpoint(tree_size: int) -> str:
    return render_template(
        "checkpoint.html", checkpoint=checkpoint_at(current_log(), anchored(), tree_size), chain=chain_config()
    )


@blueprint.get("/search")
def search() -> Response:
    """Redirect to the page for a 3D code, a leaf hash (hex), an anchoring transaction's hash or an account."""
    query = text_parameter("q", max_length=200)
    if query is None:
        raise RequestError("q", "type a 3D code, a leaf hash in hex, a transaction hash or an account")
    if _TX_HASH.fullmatch(query):
        return _checkpoint_of_transaction(bytes.fromhex(query[2:]))
    if _HEX_HASH.fullmatch(query):
        try:
            return _record_with_leaf_hash(decode_hash("q", query))
        except EntryNotFoundError:
            # 64 hex digits may also be a transaction hash written without its 0x.
            if not any(checkpoint.anchor.tx_hash.hex() == query.lower() for checkpoint in anchored()):
                raise
            return _checkpoint_of_transaction(bytes.fromhex(query))
    if "-" in query:
        return redirect(url_for("pages.record", code=ThreeDCode.parse(query).text))
    if len(query) > MAX_ACCOUNT_LENGTH or not query.isalnum():
        raise RequestError("q", f"{query!r} is not a 3D code, a leaf hash in hex, a transaction hash or an account")
    return redirect(url_for("pages.records", account=query.upper()))


def _record_with_leaf_hash(leaf_hash: bytes) -> Response:
    log = current_log()
    tree_size = log.tree_head().tree_size
    if tree_size == 0:
        raise EntryNotFoundError("the log is empty")
    leaf_index, _ = log.inclusion_proof_by_hash(leaf_hash, tree_size)
    return redirect(url_for("pages.record", code=record_at(log, leaf_index).record.code))


def _checkpoint_of_transaction(tx_hash: bytes) -> Response:
    checkpoint = checkpoint_of_transaction(anchored(), tx_hash)
    return redirect(url_for("pages.checkpoint", tree_size=checkpoint.tree_head.tree_size))


@blueprint.get("/verify")
def verify() -> str:
    """The verify page; the chain it reads trusted roots from comes from this server's configuration."""
    return render_template("verify.html", chain=chain_config())
