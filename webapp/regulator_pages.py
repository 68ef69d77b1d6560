"""The regulator's pages: the regions, one region's year (totals, rankings, ratings, warnings) with CSV and
XLSX exports of its account table, and the published rating rule."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from oracle import rating
from webapp.accounts_access import rating_rule
from webapp.accounts_http import download, year_parameter
from webapp.regulator_export import csv_bytes, xlsx_bytes
from webapp.regulator_report import region_report, regions

blueprint = Blueprint("regulator", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.get("/regions")
def region_list() -> str:
    return render_template("regions.html", regions=regions())


@blueprint.get("/regions/<region>")
def region(region: str) -> str:
    report = region_report(region, year_parameter())
    by_account = {row["account"]: row for row in report["accounts"]}
    return render_template("region.html", report=report, by_account=by_account)


@blueprint.get("/regions/<region>/accounts.csv")
def region_csv(region: str) -> Response:
    report = region_report(region, year_parameter())
    return download(csv_bytes(report), "text/csv", f"{region}-{report['year']}-accounts.csv")


@blueprint.get("/regions/<region>/accounts.xlsx")
def region_xlsx(region: str) -> Response:
    report = region_report(region, year_parameter())
    return download(xlsx_bytes(report), XLSX_MIMETYPE, f"{region}-{report['year']}-accounts.xlsx")


@blueprint.get("/ratings/rule")
def rating_rule_page() -> str:
    return render_template("rating_rule.html", rule_text=rating.__doc__, rule=rating_rule().to_json())
