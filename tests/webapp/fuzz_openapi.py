"""Schemathesis fuzzing of the JSON API against its OpenAPI document, in-process over WSGI.

schemathesis needs a newer hypothesis than the main environment can hold (eth-brownie pins 6.27.3), so this
file runs in its own environment, .venv-schemathesis (tests/webapp/schemathesis-requirements.txt), started by
test_openapi_fuzz.py with the source tree on PYTHONPATH and without the project's conftest files:

    FUZZ_DATABASE_URL=... FUZZ_LOG_ORIGIN=... FUZZ_CHECKPOINT_KEY_FILE=... \\
        .venv-schemathesis/bin/python -m pytest --noconftest -p no:cacheprovider tests/webapp/fuzz_openapi.py

Every operation gets positive and negative cases; every response must pass the schemathesis checks: no 5xx,
status codes, content types, headers and bodies as documented, invalid input rejected with 4xx. All but one:
positive_data_acceptance assumes that a request the schema allows is one the API must accept, which cannot hold
where parameters bound each other (leaf_index < tree_size, first <= second, at most 1000 entries) or are bounded
by the log's current size; the API answers those with a 400 that says so, as the document states.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings

from webapp import create_app

app = create_app(
    {
        "DATABASE_URL": os.environ["FUZZ_DATABASE_URL"],
        "LOG_ORIGIN": os.environ["FUZZ_LOG_ORIGIN"],
        "CHECKPOINT_KEY_FILE": os.environ["FUZZ_CHECKPOINT_KEY_FILE"],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "60")),
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
