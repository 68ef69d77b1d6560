"""The account pages: an account's year (book, chart, warnings, records, attestations, hierarchy), its evidence
pack, and the form that relays a signed attestation."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from ledger.errors import RequestError
from oracle.attest import SignedAttestation, typed_data_json
from oracle.chain_ids import account_id
from oracle.contracts import Deployment
from oracle.eip712 import (
    AssuranceLevel,
    AttestationMessage,
    Opinion,
    SigningDomain,
    log_id,
)
from oracle.evidence import evidence_pack
from webapp.accounts_access import pipeline_store
from webapp.accounts_chart import ChartLine, balance_chart
from webapp.accounts_http import MAX_YEAR, MIN_YEAR, download, year_parameter
from webapp.accounts_view import account_overview, directory_entry
from webapp.attest_api import relay_for_principal
from webapp.auth import require_csrf, require_principal
from webapp.ledger_access import current_log
from webapp.parameters import text_parameter

blueprint = Blueprint("accounts", __name__)

MAX_ATTESTATION_CHARACTERS = 20_000


@blueprint.get("/accounts/<account>")
def account(account: str) -> str:
    overview = account_overview(account, year_parameter())
    chain = overview["chain"]
    limits = []
    if chain["available"] and chain["book"]["allowance_g"]:
        book = chain["book"]
        limits.append(ChartLine("chart-allowance", "allowance", book["allowance_g"]))
        if book["retired_offsets_g"]:
            limits.append(ChartLine("chart-budget", "+ retired offsets",
                                    book["allowance_g"] + book["retired_offsets_g"]))
    return render_template(
        "account.html",
        overview=overview,
        chart=balance_chart(overview["monthly_emissions_g"], overview["year"], limits),
        typed_data_template=attestation_template(account, overview["year"], chain) if chain["available"] else None,
    )


def attestation_template(account: str, year: int, chain: dict[str, Any]) -> dict[str, Any]:
    """The EIP-712 typed data a verifier signs for this account-year, as of the latest anchored checkpoint;
    reportHash and nonce are to be filled in (zero here)."""
    message = AttestationMessage(
        account_id=account_id(account), year=year, log_id=log_id(current_app.config["LOG_ORIGIN"]),
        tree_size=chain["anchored_tree_size"], assurance_level=AssuranceLevel.REASONABLE, materiality_bps=500,
        opinion=Opinion.UNQUALIFIED, report_hash=bytes(32), supersedes=0, nonce=0,
    )
    return typed_data_json(SigningDomain(chain["chain_id"], chain["attestations_contract"]), message)


@blueprint.get("/accounts/<account>/<int:year>/evidence")
def evidence(account: str, year: int) -> Response:
    """The account-year's evidence pack (oracle/evidence.py) as a ZIP, or as JSON with ?format=json."""
    directory_entry(account)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise RequestError("year", f"{year} is outside {MIN_YEAR}..{MAX_YEAR}")
    output_format = text_parameter("format", max_length=4) or "zip"
    if output_format not in ("zip", "json"):
        raise RequestError("format", "must be zip or json")
    deployment_file = Path(current_app.config["DEPLOYMENT_FILE"])
    deployment = Deployment.read(deployment_file) if deployment_file.is_file() else None
    pack = evidence_pack(current_log(), pipeline_store(), account, year, deployment)
    name = f"evidence-{account}-{year}.{output_format}"
    if output_format == "json":
        body, mimetype = json.dumps(pack.to_json(), indent=2, sort_keys=True).encode(), "application/json"
    else:
        body, mimetype = pack.zip_bytes(), "application/zip"
    return download(body, mimetype, name)


@blueprint.post("/accounts/<account>/attestations")
def submit_attestation(account: str) -> Response:
    """Relay the signed attestation pasted into the account page's form."""
    require_csrf()
    require_principal()
    text = request.form.get("attestation", "")
    if not text.strip() or len(text) > MAX_ATTESTATION_CHARACTERS:
        raise RequestError("attestation", f"paste the signed attestation JSON (at most {MAX_ATTESTATION_CHARACTERS} "
                                          "characters)")
    try:
        document = json.loads(text)
    except ValueError as error:
        raise RequestError("attestation", f"is not valid JSON: {error}") from error
    signed = SignedAttestation.from_json(document)
    if signed.account != account:
        raise RequestError("attestation", f"attests account {signed.account!r}, not {account!r}")
    relayed = relay_for_principal(signed)
    flash(f"Recorded attestation {relayed['attestation_id']} by {relayed['verifier']} "
          f"in transaction {relayed['tx_hash']}.")
    return redirect(url_for("accounts.account", account=account, year=signed.message.year), HTTPStatus.SEE_OTHER)
