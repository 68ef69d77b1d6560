"""Shared pieces of the reading tests: a registered meter with its key, a SQLite reading store, an intake."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.device import Device, DeviceRegistry
from identity.device_key import raw_public_key
from oracle.readings import Reading, ReadingIntake
from oracle.readings_store import SqlReadingStore

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)


@dataclass
class Clock:
    """A clock the test sets; the intake reads it."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class MeterRig:
    """A registry holding meters with known keys, a store, and an intake over both."""

    registry: DeviceRegistry
    store: SqlReadingStore
    intake: ReadingIntake
    clock: Clock
    keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    def add_meter(self, device_id: str, account: str = "ACME", facility: str | None = "PLT1",
                  source: str = "purchased-energy/electricity", unit: str = "kWh") -> None:
        key = self.keys[device_id] = Ed25519PrivateKey.generate()
        self.registry.register(Device(device_id, raw_public_key(key), account, facility, source, unit))

    def payload(self, counter: int, *, device_id: str = "meter-001", timestamp: str = "2025-03-14T09:29:00Z",
                quantity: str = "12.5", unit: str = "kWh") -> dict[str, Any]:
        reading = Reading(device_id, counter, timestamp, quantity, unit)
        return reading.signed_with(self.keys[device_id]).payload()


@pytest.fixture
def rig(tmp_path: Path) -> MeterRig:
    registry = DeviceRegistry.in_state_dir(tmp_path)
    store = SqlReadingStore.from_url(f"sqlite:///{tmp_path / 'readings.db'}")
    clock = Clock()
    meter_rig = MeterRig(registry, store, ReadingIntake(registry, store, clock=clock), clock)
    meter_rig.add_meter("meter-001")
    return meter_rig
