"""The Flask app factory: configuration in layers, one blueprint per area, error handlers, security headers.

Configuration, later layers overriding earlier ones:
1. defaults, from oracle.settings (which already honours the CARBONLEDGER_* variables the CLI reads);
2. the instance folder's `config.py`, if there is one;
3. environment variables with the CARBONLEDGER_ prefix (CARBONLEDGER_DATABASE_URL -> DATABASE_URL).
A `test_config` mapping replaces layers 2 and 3, so tests never pick up a developer's environment.

Keys: DATABASE_URL, LOG_ORIGIN (the log the explorer serves), CHECKPOINT_KEY_FILE (the Ed25519 key that signs
checkpoint notes; used only if it exists), RPC_URL and DEPLOYMENT_FILE (the chain and the contracts the
ledger is anchored in; the deployment file may be absent), MAX_CONTENT_LENGTH (request bodies, in bytes).
Carbon accounts and writes (webapp/auth.py): SECRET_KEY (signs the session cookie; never in the repository),
API_TOKENS ({sha256 hex of a token: [roles]}), KEYSTORE_DIR and RELAYER_KEY (the key that pays for relayed
attestations), DEVICE_REGISTRY_FILE (the meters whose readings POST /api/v1/readings accepts), BENCHMARKS_FILE
(the rating rule's configuration; default CARBONLEDGER_BENCHMARKS_FILE or oracle/data/benchmarks.json).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from oracle import settings
from webapp import (
    accounts_api,
    accounts_pages,
    api_log,
    api_openapi,
    api_records,
    api_verify,
    attest_api,
    checkpoints_api,
    pages,
    readings_api,
    regulator_api,
    regulator_pages,
)
from webapp.accounts_errors import register_account_error_handlers
from webapp.auth import register_auth
from webapp.error_responses import register_error_handlers
from webapp.security_headers import register_security_headers

MAX_BODY_BYTES = 1024 * 1024


def default_config() -> dict[str, Any]:
    return {
        "DATABASE_URL": settings.DATABASE_URL,
        "LOG_ORIGIN": settings.LOG_ORIGIN,
        "CHECKPOINT_KEY_FILE": str(settings.STATE_DIR / "keys" / "checkpoint-ed25519.pem"),
        "RPC_URL": settings.RPC_URL,
        "DEPLOYMENT_FILE": str(settings.STATE_DIR / "deployment.json"),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "API_TOKENS": {},
        "KEYSTORE_DIR": str(settings.STATE_DIR / "keys"),
        "RELAYER_KEY": "relayer",
        "DEVICE_REGISTRY_FILE": str(settings.STATE_DIR / "devices.json"),
        "BENCHMARKS_FILE": None,
    }


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The explorer app; `test_config` (for tests) replaces the instance config and the environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(default_config())
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CARBONLEDGER")
        # The key password is read by identity.note_key from the environment; it has no business in the config.
        app.config.pop("KEY_PASSWORD", None)
    else:
        app.config.from_mapping(test_config)
    for blueprint in (pages.blueprint, api_log.blueprint, api_records.blueprint, api_verify.blueprint,
                      api_openapi.blueprint, checkpoints_api.blueprint, accounts_pages.blueprint,
                      accounts_api.blueprint, regulator_pages.blueprint, regulator_api.blueprint, attest_api.blueprint,
                      readings_api.blueprint):
        app.register_blueprint(blueprint)
    register_auth(app)
    register_error_handlers(app)
    register_account_error_handlers(app)
    register_security_headers(app)
    return app
