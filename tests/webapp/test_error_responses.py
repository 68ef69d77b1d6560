"""Specification of error responses: problem JSON under /api, the HTML page elsewhere, never a stack trace."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.webapp.conftest import ORIGIN
from webapp import create_app


def test_given_a_wrong_method_on_the_api_then_it_is_405_problem_json_saying_which_methods_are_allowed(
    client: FlaskClient,
) -> None:
    response = client.delete("/api/v1/log/tree-head")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_given_an_unknown_api_path_then_it_is_404_problem_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    body = response.get_json()
    assert (body["error"], body["status"], body["title"]) == ("not_found", 404, "Not Found")
    assert body["detail"]


@pytest.mark.parametrize(
    ("path", "mimetype"), [("/api/v1/log/tree-head", "application/problem+json"), ("/", "text/html")]
)
def test_given_a_database_that_cannot_be_opened_then_it_is_a_500_that_reveals_nothing_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, path: str, mimetype: str
) -> None:
    # A folder where the SQLite file should be: opening it fails inside SQLAlchemy.
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}", "LOG_ORIGIN": ORIGIN})
    with caplog.at_level(logging.ERROR, logger="webapp.error_responses"):
        response = app.test_client().get(path)
    assert response.status_code == 500
    assert response.mimetype == mimetype
    text = response.get_data(as_text=True)
    assert "the failure has been logged" in text
    assert "Traceback" not in text and "sqlite" not in text.lower() and str(tmp_path) not in text
    assert any("unhandled error while answering GET" in record.getMessage() for record in caplog.records)
