"""The device registry: Ed25519 meter keys with their attribution, kept in one JSON file that never half-writes."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.device import Device, DeviceRegistry
from identity.device_key import create_device_key, device_key_path, load_device_key, raw_public_key
from identity.errors import DeviceError, DeviceExistsError, KeyExistsError, KeyNotFoundError, WrongPasswordError
from tests.identity.conftest import PASSWORD


def meter(device_id: str = "meter-001", key: Ed25519PrivateKey | None = None, **changes: object) -> Device:
    fields: dict[str, object] = {
        "device_id": device_id,
        "public_key": raw_public_key(key or Ed25519PrivateKey.generate()),
        "account": "ACME",
        "facility": "PLT1",
        "source": "purchased-energy/electricity",
        "unit": "kWh",
    }
    fields.update(changes)
    return Device(**fields)  # type: ignore[arg-type]


@pytest.fixture
def registry(tmp_path: Path) -> DeviceRegistry:
    return DeviceRegistry.in_state_dir(tmp_path)


def test_given_a_registered_device_when_another_registry_reads_the_file_then_it_finds_the_same_device(
    registry: DeviceRegistry,
) -> None:
    device = meter()
    registry.register(device)
    assert DeviceRegistry(registry.path).find("meter-001") == device
    assert registry.find("meter-002") is None
    assert registry.devices() == [device]


def test_given_an_empty_state_folder_then_the_registry_has_no_devices(registry: DeviceRegistry) -> None:
    assert registry.devices() == [] and registry.find("meter-001") is None


def test_given_a_registered_device_then_its_signature_verifies_and_another_key_does_not(
    registry: DeviceRegistry,
) -> None:
    key = Ed25519PrivateKey.generate()
    registry.register(meter(key=key))
    device = registry.find("meter-001")
    assert device is not None
    assert device.verifies(key.sign(b"reading"), b"reading")
    assert not device.verifies(key.sign(b"reading"), b"readinG")
    assert not device.verifies(Ed25519PrivateKey.generate().sign(b"reading"), b"reading")


def test_given_a_taken_device_id_or_public_key_when_registering_then_device_exists(registry: DeviceRegistry) -> None:
    key = Ed25519PrivateKey.generate()
    registry.register(meter(key=key))
    with pytest.raises(DeviceExistsError, match="already registered"):
        registry.register(meter())
    with pytest.raises(DeviceExistsError, match="public key"):
        registry.register(meter("meter-002", key=key))
    assert [device.device_id for device in registry.devices()] == ["meter-001"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"device_id": "Meter 1"}, "device_id"),
        ({"public_key": b"\x01" * 31}, "public_key"),
        ({"account": "acme"}, "account"),
        ({"account": "A"}, "account"),
        ({"facility": "P1"}, "facility"),
        ({"source": "Purchased Energy"}, "source"),
        ({"source": "teleportation/electricity"}, "source"),
        ({"unit": "furlongs per fortnight"}, "unit"),
        ({"unit": None}, "unit"),
    ],
)
def test_given_an_invalid_field_when_building_a_device_then_device_error_naming_it(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DeviceError, match=field):
        meter(**changes)


def test_given_a_registry_written_by_another_process_then_the_cached_copy_is_refreshed(
    registry: DeviceRegistry,
) -> None:
    registry.register(meter("meter-001"))
    assert [device.device_id for device in registry.devices()] == ["meter-001"]
    DeviceRegistry(registry.path).register(meter("meter-002"))
    assert [device.device_id for device in registry.devices()] == ["meter-001", "meter-002"]


def test_given_concurrent_registrations_then_none_is_lost(registry: DeviceRegistry) -> None:
    devices = [meter(f"meter-{number:03d}") for number in range(12)]
    threads = [threading.Thread(target=DeviceRegistry(registry.path).register, args=(device,)) for device in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.devices() == devices


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not JSON"),
        ('{"version": 2, "devices": []}', "version 1"),
        ('{"version": 1, "devices": {}}', "devices: not a list"),
        ('{"version": 1, "devices": [{"device_id": "meter-001"}]}', "devices[0]"),
        (
            '{"version": 1, "devices": [{"device_id": "m", "public_key": "!!", "account": "ACME", "facility": null,'
            ' "source": "purchased-energy/electricity", "unit": "kWh"}]}',
            "public_key: not base64",
        ),
    ],
)
def test_given_a_damaged_registry_file_when_read_then_device_error_naming_the_place(
    registry: DeviceRegistry, content: str, message: str
) -> None:
    registry.path.write_text(content)
    with pytest.raises(DeviceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        registry.find("meter-001")


def test_given_a_device_listed_twice_in_the_file_when_read_then_device_error(registry: DeviceRegistry) -> None:
    registry.register(meter())
    document = json.loads(registry.path.read_text())
    document["devices"].append(document["devices"][0])
    registry.path.write_text(json.dumps(document))
    with pytest.raises(DeviceError, match="listed twice"):
        registry.devices()


def test_given_a_device_key_when_stored_and_loaded_then_the_same_key_in_a_private_file(tmp_path: Path) -> None:
    key = create_device_key(tmp_path / "keys", "meter-001", PASSWORD)
    path = device_key_path(tmp_path / "keys", "meter-001")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "keys").st_mode) == 0o700
    assert raw_public_key(load_device_key(tmp_path / "keys", "meter-001", PASSWORD)) == raw_public_key(key)
    with pytest.raises(WrongPasswordError):
        load_device_key(tmp_path / "keys", "meter-001", "wrong")
    with pytest.raises(KeyExistsError):
        create_device_key(tmp_path / "keys", "meter-001", PASSWORD)
    with pytest.raises(KeyNotFoundError):
        load_device_key(tmp_path / "keys", "meter-002", PASSWORD)
