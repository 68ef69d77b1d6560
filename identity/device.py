"""The registry of IoT meters: each device's Ed25519 public key and what its readings measure, for whom.

One JSON file, `<state>/devices.json`:

    {"version": 1, "devices": [{"device_id": "meter-001", "public_key": "<base64, 32 bytes>",
      "account": "ACME", "facility": "PLT1", "source": "purchased-energy/electricity", "unit": "kWh"}]}

A file rather than a database table because the registry is provisioning data: public keys and their
attribution, written rarely by an operator and read on every reading. As a file it can be reviewed, diffed
and kept under change control, and handed to an auditor who re-verifies reading signatures without access to
the database. It holds no secret. Writes replace the file atomically under an exclusive lock, so concurrent
registrations lose nothing and readers never see half a file; readers re-parse it only when it changes.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from identity.atomic_file import exclusive_lock, write_atomically
from identity.errors import DeviceError, DeviceExistsError, IdentityError
from identity.identifier import check_identifier
from ledger.calc.sources import source
from ledger.calc.units import parse_unit
from ledger.errors import CalculationError

logger = logging.getLogger(__name__)

REGISTRY_FILE = "devices.json"
REGISTRY_VERSION = 1
REGISTRY_FILE_MODE = 0o644
ED25519_PUBLIC_KEY_BYTES = 32
# The account and facility syntax of the 3D code (ledger/code.py), so every reading can become a record.
_ACCOUNT = re.compile(r"[A-Z][A-Z0-9]{2,5}")
_FACILITY = re.compile(r"[A-Z0-9]{3,6}")
_FIELDS = ("device_id", "public_key", "account", "facility", "source", "unit")


@dataclass(frozen=True)
class Device:
    """A registered meter: its id, raw Ed25519 public key, and the account, facility, source and unit it reports."""

    device_id: str
    public_key: bytes
    account: str
    facility: str | None
    source: str
    unit: str

    def __post_init__(self) -> None:
        try:
            check_identifier("device_id", self.device_id)
        except IdentityError as e:
            raise DeviceError(str(e)) from e
        if not isinstance(self.public_key, bytes) or len(self.public_key) != ED25519_PUBLIC_KEY_BYTES:
            raise DeviceError(f"public_key: must be {ED25519_PUBLIC_KEY_BYTES} bytes of a raw Ed25519 key")
        if not isinstance(self.account, str) or not _ACCOUNT.fullmatch(self.account):
            raise DeviceError(f"account: {self.account!r} must be 3 to 6 capitals or digits, starting with a letter")
        if self.facility is not None and (not isinstance(self.facility, str) or not _FACILITY.fullmatch(self.facility)):
            raise DeviceError(f"facility: {self.facility!r} must be absent or 3 to 6 capitals or digits")
        for field, value, check in (("source", self.source, source), ("unit", self.unit, parse_unit)):
            if not isinstance(value, str):
                raise DeviceError(f"{field}: {value!r} is not text")
            try:
                check(value)
            except CalculationError as e:
                raise DeviceError(f"{field}: {e}") from e

    def verifies(self, signature: bytes, message: bytes) -> bool:
        """Whether `signature` is this device's Ed25519 signature of `message`."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "device_id": self.device_id,
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "account": self.account,
            "facility": self.facility,
            "source": self.source,
            "unit": self.unit,
        }

    @classmethod
    def from_json(cls, entry: object) -> Device:
        if not isinstance(entry, dict) or set(entry) != set(_FIELDS):
            raise DeviceError(f"must be an object with exactly the fields {', '.join(_FIELDS)}")
        try:
            public_key = base64.b64decode(entry["public_key"], validate=True)
        except (binascii.Error, TypeError, ValueError) as e:
            raise DeviceError("public_key: not base64") from e
        return cls(entry["device_id"], public_key, entry["account"], entry["facility"], entry["source"], entry["unit"])


class DeviceRegistry:
    """The devices in one registry file (absent file: no devices)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: tuple[tuple[int, int, int], dict[str, Device]] | None = None

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> DeviceRegistry:
        return cls(state_dir / REGISTRY_FILE)

    def register(self, device: Device) -> None:
        """Add `device`; DeviceExistsError if its id or its public key is registered already."""
        with exclusive_lock(self.path.with_name(self.path.name + ".lock")):
            devices = self._read()
            if device.device_id in devices:
                raise DeviceExistsError(f"device {device.device_id!r} is already registered in {self.path}")
            for other in devices.values():
                if other.public_key == device.public_key:
                    raise DeviceExistsError(f"device {device.device_id!r}: its public key is {other.device_id!r}'s")
            devices[device.device_id] = device
            document = {
                "version": REGISTRY_VERSION,
                "devices": [devices[device_id].to_json() for device_id in sorted(devices)],
            }
            data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
            write_atomically(self.path, data, mode=REGISTRY_FILE_MODE, overwrite=True)
        logger.info(
            "registered device %s for %s (%s in %s)", device.device_id, device.account, device.source, device.unit
        )

    def find(self, device_id: str) -> Device | None:
        """The device registered as `device_id`, or None."""
        return self._current().get(device_id)

    def devices(self) -> list[Device]:
        """Every registered device, by id."""
        devices = self._current()
        return [devices[device_id] for device_id in sorted(devices)]

    def _current(self) -> dict[str, Device]:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return {}
        # Every write replaces the file, so a new inode (or size or time) means new content.
        version = (status.st_ino, status.st_size, status.st_mtime_ns)
        if self._cached is None or self._cached[0] != version:
            self._cached = (version, self._read())
        return self._cached[1]

    def _read(self) -> dict[str, Device]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        try:
            document = json.loads(text)
        except ValueError as e:
            raise DeviceError(f"{self.path}: not JSON ({e})") from e
        if not isinstance(document, dict) or document.get("version") != REGISTRY_VERSION:
            raise DeviceError(f"{self.path}: not a version {REGISTRY_VERSION} device registry")
        entries = document.get("devices")
        if not isinstance(entries, list):
            raise DeviceError(f"{self.path}: devices: not a list")
        devices: dict[str, Device] = {}
        for index, entry in enumerate(entries):
            try:
                device = Device.from_json(entry)
            except DeviceError as e:
                raise DeviceError(f"{self.path}: devices[{index}]: {e}") from e
            if device.device_id in devices:
                raise DeviceError(f"{self.path}: devices[{index}]: device {device.device_id!r} listed twice")
            devices[device.device_id] = device
        return devices
