"""Specification of the OpenAPI document: it describes exactly the API's routes, and the API keeps to it under
schemathesis fuzzing (run in .venv-schemathesis, see fuzz_openapi.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from identity.note_key import load_or_create_note_signer
from tests.webapp.conftest import ORIGIN, DemoLedger

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS_PYTHON = ROOT / ".venv-schemathesis" / "bin" / "python"


def test_given_the_app_then_the_document_describes_exactly_its_api_routes_and_methods(
    app: Flask, client: FlaskClient
) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    assert described == served


def test_given_the_document_then_every_parameter_and_response_has_a_schema(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["components"]["parameters"]
    for item in document["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                resolved = parameters[parameter["$ref"].rsplit("/", 1)[1]] if "$ref" in parameter else parameter
                assert "schema" in resolved, resolved
            assert "200" in operation["responses"]
            for response in operation["responses"].values():
                assert "content" in response or "$ref" in response


@pytest.mark.skipif(
    not SCHEMATHESIS_PYTHON.exists(),
    reason="schemathesis lives in .venv-schemathesis, created with tests/webapp/schemathesis-requirements.txt",
)
def test_given_schemathesis_when_it_fuzzes_every_operation_then_every_check_passes(
    demo_ledger: DemoLedger, key_file: Path
) -> None:
    load_or_create_note_signer(key_file, ORIGIN)
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FUZZ_DATABASE_URL": demo_ledger.url,
        "FUZZ_LOG_ORIGIN": ORIGIN,
        "FUZZ_CHECKPOINT_KEY_FILE": str(key_file),
    }
    completed = subprocess.run(
        [str(SCHEMATHESIS_PYTHON), "-m", "pytest", "--noconftest", "-p", "no:cacheprovider", "-q",
         str(Path(__file__).with_name("fuzz_openapi.py"))],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-8000:]
    document = json.loads((ROOT / "webapp" / "openapi.json").read_text())
    # schemathesis leaves out the operation that serves the document it was loaded from.
    operations = sum(len(item) for path, item in document["paths"].items() if path != "/api/v1/openapi.json")
    assert re.search(rf"\b{operations} passed\b", completed.stdout), completed.stdout[-2000:]
