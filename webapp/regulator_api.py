"""/api/v1/regions and /api/v1/ratings: a region's year as JSON, and the rating rule's configuration."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from oracle import rating
from webapp.accounts_access import rating_rule
from webapp.accounts_http import year_parameter
from webapp.regulator_report import region_report

blueprint = Blueprint("regulator_api", __name__, url_prefix="/api/v1")


@blueprint.get("/regions/<region>")
def region(region: str) -> dict[str, Any]:
    return region_report(region, year_parameter())


@blueprint.get("/ratings/rule")
def rule() -> dict[str, Any]:
    return {"rule": rating.__doc__, **rating_rule().to_json()}
