"""The keystore: encrypted keys that round-trip, interoperate with eth-account, fail clearly and never leak."""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from identity.errors import (
    CorruptedKeystoreError,
    IdentifierError,
    KeyExistsError,
    KeyNotFoundError,
    KeystoreError,
    WrongPasswordError,
)
from identity.keystore import Keystore
from identity.keystore_v3 import DEFAULT_SCRYPT_N, decrypt_private_key, parse_encrypted_key
from ledger.errors import LedgerError
from tests.identity.conftest import LIGHT_SCRYPT_N, PASSWORD, identity_data

ERRORS = {"CorruptedKeystoreError": CorruptedKeystoreError, "WrongPasswordError": WrongPasswordError}


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_given_a_new_key_when_loaded_with_its_password_then_the_same_account_comes_back(keystore: Keystore) -> None:
    entry = keystore.create("oracle", PASSWORD)
    account = keystore.load("oracle", PASSWORD)
    assert account.address == entry.address == keystore.entry("oracle").address
    assert entry.path == keystore.directory / "oracle.json"
    assert [listed.label for listed in keystore.entries()] == ["oracle"]


def test_given_a_new_key_then_its_file_is_0600_in_a_0700_folder_and_holds_no_plaintext(keystore: Keystore) -> None:
    entry = keystore.create("oracle", PASSWORD)
    private_key_hex = keystore.load("oracle", PASSWORD).key.hex()
    assert mode_of(entry.path) == 0o600
    assert mode_of(keystore.directory) == 0o700
    text = entry.path.read_text()
    assert private_key_hex.removeprefix("0x") not in text
    assert PASSWORD not in text
    assert [path.name for path in keystore.directory.iterdir() if path.name.endswith(".tmp")] == []


def test_given_a_default_keystore_then_it_writes_scrypt_at_the_standard_cost(tmp_path: Path) -> None:
    assert Keystore(tmp_path).scrypt_n == DEFAULT_SCRYPT_N == 2**18


def test_given_a_key_we_wrote_when_eth_account_decrypts_it_then_it_finds_the_same_key(keystore: Keystore) -> None:
    entry = keystore.create("oracle", PASSWORD)
    document = json.loads(entry.path.read_text())
    assert document["crypto"]["kdf"] == "scrypt"
    assert document["crypto"]["kdfparams"]["n"] == LIGHT_SCRYPT_N
    assert Account.decrypt(document, PASSWORD) == keystore.load("oracle", PASSWORD).key


def test_given_a_key_eth_account_wrote_when_the_keystore_loads_it_then_it_finds_the_same_key(
    keystore: Keystore,
) -> None:
    account = Account.create()
    document = Account.encrypt(account.key, PASSWORD, kdf="scrypt", iterations=LIGHT_SCRYPT_N)
    keystore.directory.mkdir(parents=True)
    (keystore.directory / "imported.json").write_text(json.dumps(document))
    assert keystore.entry("imported").address == account.address
    assert keystore.load("imported", PASSWORD).key == account.key


@pytest.mark.parametrize("case", identity_data("keystore-vectors.json")["cases"], ids=lambda case: case["desc"])
def test_given_the_specification_vector_when_decrypted_then_the_known_key_comes_out(case: dict[str, Any]) -> None:
    encrypted = parse_encrypted_key(json.dumps(case["document"]), "vector")
    private_key = decrypt_private_key(encrypted, case["password"], "vector")
    assert private_key.hex() == case["want_private_key"]
    assert Account.from_key(private_key).address == case["want_address"]
    with pytest.raises(WrongPasswordError, match="no password check"):
        decrypt_private_key(encrypted, case["password"] + "x", "vector")


def test_given_the_wrong_password_when_loading_then_wrong_password_error(keystore: Keystore) -> None:
    keystore.create("oracle", PASSWORD)
    with pytest.raises(WrongPasswordError, match="oracle.json: wrong password") as raised:
        keystore.load("oracle", PASSWORD + "!")
    assert isinstance(raised.value, LedgerError) and isinstance(raised.value, ValueError)


def test_given_a_foreign_file_without_password_check_when_the_password_is_wrong_then_wrong_password_error(
    keystore: Keystore,
) -> None:
    document = Account.encrypt(Account.create().key, PASSWORD, kdf="scrypt", iterations=LIGHT_SCRYPT_N)
    keystore.directory.mkdir(parents=True)
    (keystore.directory / "imported.json").write_text(json.dumps(document))
    with pytest.raises(WrongPasswordError, match="no password check"):
        keystore.load("imported", "not the password")


def mutated(document: dict[str, Any], case: dict[str, Any]) -> bytes:
    if "raw" in case:
        return str(case["raw"]).encode("utf-8")
    if "raw_hex" in case:
        return bytes.fromhex(case["raw_hex"])
    path = case.get("delete") or case.get("flip") or case["set"]["path"]
    parent = document
    for name in path[:-1]:
        parent = parent[name]
    if "delete" in case:
        del parent[path[-1]]
    elif "flip" in case:
        text = parent[path[-1]]
        parent[path[-1]] = text[:-1] + format(15 - int(text[-1], 16), "x")
    else:
        parent[path[-1]] = case["set"]["value"]
    return json.dumps(document).encode("utf-8")


@pytest.mark.parametrize("case", identity_data("keystore-corruptions.json")["cases"], ids=lambda case: case["desc"])
def test_given_a_corrupted_key_file_when_loading_with_the_right_password_then_a_clear_error(
    keystore: Keystore, case: dict[str, Any]
) -> None:
    entry = keystore.create("oracle", PASSWORD)
    entry.path.write_bytes(mutated(json.loads(entry.path.read_text()), case))
    with pytest.raises(ERRORS[case["want_err"]]) as raised:
        keystore.load("oracle", PASSWORD)
    assert case["want_message"] in str(raised.value)
    assert str(entry.path) in str(raised.value)


def test_given_no_such_label_when_loading_or_showing_then_key_not_found(keystore: Keystore) -> None:
    with pytest.raises(KeyNotFoundError, match="no key labelled 'ghost'") as raised:
        keystore.load("ghost", PASSWORD)
    assert isinstance(raised.value, KeyError)
    with pytest.raises(KeyNotFoundError):
        keystore.entry("ghost")


def test_given_a_taken_label_when_creating_then_key_exists_and_the_old_key_is_untouched(keystore: Keystore) -> None:
    entry = keystore.create("oracle", PASSWORD)
    before = entry.path.read_bytes()
    with pytest.raises(KeyExistsError, match="already exists"):
        keystore.create("oracle", PASSWORD)
    assert entry.path.read_bytes() == before


@pytest.mark.parametrize("label", ["", "Oracle", "../oracle", ".hidden", "-flag", "a/b", "a" * 65, "or acle"])
def test_given_an_unsafe_label_when_creating_then_identifier_error_and_no_file(keystore: Keystore, label: str) -> None:
    with pytest.raises(IdentifierError, match="label"):
        keystore.create(label, PASSWORD)
    assert not keystore.directory.exists()


def test_given_a_key_when_rotated_then_the_label_holds_a_new_key_and_the_old_one_is_retired(keystore: Keystore) -> None:
    old_address = keystore.create("oracle", PASSWORD).address
    retired_at = datetime(2025, 3, 14, 9, 26, 53, tzinfo=timezone.utc)
    old, new = keystore.rotate("oracle", PASSWORD, now=retired_at)
    assert old == old_address != new
    assert keystore.load("oracle", PASSWORD).address == new
    [retired] = keystore.retired_entries()
    assert retired.path == keystore.directory / "retired" / "oracle@20250314T092653Z.json"
    assert (retired.label, retired.address, retired.retired_at) == ("oracle", old, retired_at)
    assert mode_of(retired.path) == 0o600
    assert Account.decrypt(json.loads(retired.path.read_text()), PASSWORD) != keystore.load("oracle", PASSWORD).key
    assert [entry.address for entry in keystore.entries()] == [new]


def test_given_the_wrong_password_when_rotating_then_nothing_changes(keystore: Keystore) -> None:
    entry = keystore.create("oracle", PASSWORD)
    before = entry.path.read_bytes()
    with pytest.raises(WrongPasswordError):
        keystore.rotate("oracle", "wrong")
    assert entry.path.read_bytes() == before
    assert keystore.retired_entries() == []


def test_given_a_rotation_in_the_same_second_when_rotating_again_then_an_error_and_the_key_is_kept(
    keystore: Keystore,
) -> None:
    keystore.create("oracle", PASSWORD)
    moment = datetime(2025, 3, 14, 9, 26, 53, tzinfo=timezone.utc)
    _, current = keystore.rotate("oracle", PASSWORD, now=moment)
    with pytest.raises(KeystoreError, match="already rotated this second"):
        keystore.rotate("oracle", PASSWORD, now=moment)
    assert keystore.load("oracle", PASSWORD).address == current


def test_given_concurrent_rotations_then_every_replaced_key_is_retired(keystore: Keystore) -> None:
    first = keystore.create("oracle", PASSWORD).address
    rotations = []

    def rotate(second: int) -> None:
        moment = datetime(2025, 1, 1, 0, 0, second, tzinfo=timezone.utc)
        rotations.append(keystore.rotate("oracle", PASSWORD, now=moment))

    threads = [threading.Thread(target=rotate, args=(second,)) for second in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    retired = {entry.address for entry in keystore.retired_entries()}
    created = {rotation.new_address for rotation in rotations}
    assert len(rotations) == 4
    assert retired == {first} | created - {keystore.entry("oracle").address}


def test_given_debug_logging_when_keys_are_created_loaded_and_rotated_then_no_secret_is_logged(
    keystore: Keystore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    keystore.create("oracle", PASSWORD)
    old_key = keystore.load("oracle", PASSWORD).key.hex()
    keystore.rotate("oracle", PASSWORD)
    new_key = keystore.load("oracle", PASSWORD).key.hex()
    with pytest.raises(WrongPasswordError) as raised:
        keystore.load("oracle", PASSWORD + "typo")
    logged = caplog.text + str(raised.value)
    assert "created key oracle" in logged and "rotated key oracle" in logged
    for secret in (old_key, new_key, PASSWORD, PASSWORD + "typo"):
        assert secret.removeprefix("0x") not in logged
