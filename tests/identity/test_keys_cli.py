"""`carbonledger keys`: new, list, show and rotate through the real command line, with the password from the
environment; nothing a command prints or logs holds a private key or the password."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from identity.keystore import Keystore
from identity.password import PASSWORD_VARIABLE
from oracle.cli import main
from tests.identity.conftest import PASSWORD


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(PASSWORD_VARIABLE, PASSWORD)
    return tmp_path / "state"


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], state: Path, *arguments: str) -> Any:
    code, out, err = run(capsys, "keys", *arguments, "--state-dir", str(state), "--chain-id", "31337", "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def test_given_the_keys_commands_when_run_in_turn_then_keys_are_created_listed_shown_and_rotated(
    state: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = run_json(capsys, state, "new", "--label", "oracle")
    run_json(capsys, state, "new", "--label", "verifier")
    assert created["did"] == f"did:pkh:eip155:31337:{created['address']}"
    key_file = Path(created["file"])
    assert key_file == state / "keys" / "oracle.json"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    # The command line writes keys at the standard scrypt cost.
    assert json.loads(key_file.read_text())["crypto"]["kdfparams"]["n"] == 2**18

    listed = run_json(capsys, state, "list")
    assert [(item["label"], item["address"]) for item in listed][0] == ("oracle", created["address"])
    assert [item["label"] for item in listed] == ["oracle", "verifier"]
    shown = run_json(capsys, state, "show", "--label", "oracle")
    assert shown == {"label": "oracle", "address": created["address"], "did": created["did"], "file": str(key_file)}

    old_key = Keystore.in_state_dir(state).load("oracle", PASSWORD).key.hex()
    rotated = run_json(capsys, state, "rotate", "oracle")
    assert rotated["old_address"] == created["address"] != rotated["new_address"]
    assert rotated["new_did"] == f"did:pkh:eip155:31337:{rotated['new_address']}"
    new_key = Keystore.in_state_dir(state).load("oracle", PASSWORD).key.hex()
    assert run_json(capsys, state, "show", "--label", "oracle")["address"] == rotated["new_address"]
    with_retired = run_json(capsys, state, "list", "--retired")
    assert [(item["label"], item["address"], "retired_at" in item) for item in with_retired] == [
        ("oracle", rotated["new_address"], False),
        ("verifier", listed[1]["address"], False),
        ("oracle", created["address"], True),
    ]

    code, text_out, _ = run(capsys, "-v", "keys", "show", "--label", "oracle", "--state-dir", str(state))
    assert code == 0 and f"address {rotated['new_address']}" in text_out
    everything_seen = json.dumps([created, listed, shown, rotated, with_retired]) + text_out + caplog.text
    for secret in (old_key, new_key, PASSWORD):
        assert secret.removeprefix("0x") not in everything_seen


def test_given_a_taken_label_when_new_runs_then_a_clean_error_and_exit_code_2(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, state, "new", "--label", "oracle")
    code, out, err = run(capsys, "keys", "new", "--label", "oracle", "--state-dir", str(state))
    assert (code, out) == (2, "")
    assert err.startswith("carbonledger: error: a key labelled 'oracle' already exists")


def test_given_no_such_label_when_show_runs_then_a_clean_error(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "keys", "show", "--label", "ghost", "--state-dir", str(state))
    assert code == 2 and "no key labelled 'ghost'" in err


def test_given_no_password_and_no_terminal_when_new_runs_then_it_refuses_and_writes_nothing(
    state: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE)
    code, _, err = run(capsys, "keys", "new", "--label", "oracle", "--state-dir", str(state))
    assert code == 2 and PASSWORD_VARIABLE in err
    assert not (state / "keys" / "oracle.json").exists()


def test_given_a_wrong_password_when_rotate_runs_then_a_clean_error_and_the_key_stays(
    state: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    created = run_json(capsys, state, "new", "--label", "oracle")
    monkeypatch.setenv(PASSWORD_VARIABLE, "not the password")
    code, _, err = run(capsys, "keys", "rotate", "oracle", "--state-dir", str(state))
    assert code == 2 and "wrong password" in err and "not the password" not in err
    assert run_json(capsys, state, "show", "--label", "oracle")["address"] == created["address"]


def test_given_an_empty_keystore_when_list_runs_then_it_says_so(
    state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "keys", "list", "--state-dir", str(state)) == (0, "no keys\n", "")
