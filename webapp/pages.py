"""The explorer's pages: overview, records, one record, search and the in-browser verify page. All read-only."""

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
from webapp.ledger_access import checkpoint_signer, current_log, signed_checkpoint
from webapp.parameters import MAX_ACCOUNT_LENGTH, decode_hash, listing_parameters, text_parameter
from webapp.record_lookup import record_at
from webapp.record_views import record_detail, record_listing

blueprint = Blueprint("pages", __name__)

_HEX_HASH = re.compile(r"[0-9a-fA-F]{64}")
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
    log = current_log()
    head = log.tree_head()
    signer = checkpoint_signer()
    deployment_file = Path(current_app.config["DEPLOYMENT_FILE"])
    return render_template(
        "overview.html",
        tree_head=tree_head_json(head),
        checkpoint=signed_checkpoint(head),
        verifier_key=None if signer is None else signer.verifier.key_string(),
        rpc_url=current_app.config["RPC_URL"],
        deployment_file=deployment_file,
        deployed=deployment_file.is_file(),
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


@blueprint.get("/search")
def search() -> Response:
    """Redirect to the page for a 3D code, a leaf hash (hex) or an account."""
    query = text_parameter("q", max_length=200)
    if query is None:
        raise RequestError("q", "type a 3D code, a leaf hash in hex or an account")
    if _HEX_HASH.fullmatch(query):
        log = current_log()
        tree_size = log.tree_head().tree_size
        if tree_size == 0:
            raise EntryNotFoundError("the log is empty")
        leaf_index, _ = log.inclusion_proof_by_hash(decode_hash("q", query), tree_size)
        return redirect(url_for("pages.record", code=record_at(log, leaf_index).record.code))
    if "-" in query:
        return redirect(url_for("pages.record", code=ThreeDCode.parse(query).text))
    if len(query) > MAX_ACCOUNT_LENGTH or not query.isalnum():
        raise RequestError("q", f"{query!r} is not a 3D code, a leaf hash in hex or an account")
    return redirect(url_for("pages.records", account=query.upper()))


@blueprint.get("/verify")
def verify() -> str:
    return render_template("verify.html")
