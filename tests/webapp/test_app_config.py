"""Specification of the app's configuration layers: defaults, then the CARBONLEDGER_* environment, or a test config."""

from __future__ import annotations

import pytest

from oracle import settings
from webapp import create_app


def test_given_no_configuration_then_the_defaults_are_the_command_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CARBONLEDGER_DATABASE_URL", "CARBONLEDGER_LOG_ORIGIN", "CARBONLEDGER_RPC_URL"):
        monkeypatch.delenv(name, raising=False)
    config = create_app().config
    assert config["DATABASE_URL"] == settings.DATABASE_URL
    assert config["LOG_ORIGIN"] == settings.LOG_ORIGIN
    assert config["CHECKPOINT_KEY_FILE"] == str(settings.STATE_DIR / "keys" / "checkpoint-ed25519.pem")
    assert config["DEPLOYMENT_FILE"] == str(settings.STATE_DIR / "deployment.json")
    assert config["RPC_URL"] == settings.RPC_URL
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_given_carbonledger_variables_then_they_override_the_defaults_but_the_key_password_stays_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARBONLEDGER_LOG_ORIGIN", "example.org/region-7")
    monkeypatch.setenv("CARBONLEDGER_RPC_URL", "http://chain.example:8545")
    monkeypatch.setenv("CARBONLEDGER_KEY_PASSWORD", "not for the config")
    config = create_app().config
    assert config["LOG_ORIGIN"] == "example.org/region-7"
    assert config["RPC_URL"] == "http://chain.example:8545"
    assert "KEY_PASSWORD" not in config


def test_given_a_test_config_then_the_environment_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONLEDGER_LOG_ORIGIN", "example.org/from-the-environment")
    config = create_app({"DATABASE_URL": "sqlite://"}).config
    assert config["LOG_ORIGIN"] == settings.LOG_ORIGIN
    assert config["DATABASE_URL"] == "sqlite://"
