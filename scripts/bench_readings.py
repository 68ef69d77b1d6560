"""Benchmark of signed IoT meter readings: how many the intake verifies and stores per second.

Registers DEVICES Ed25519 meters, signs READINGS readings spread over them (counters increase per device),
then times ReadingIntake.accept_reading on each payload: parse, signature check, time window, replay check
and the SQLite write with the device's counter moved in the same transaction. Prints readings/s and peak
memory; the figures in docs/benchmarks.md come from this script.

Usage: python scripts/bench_readings.py [--devices 50] [--readings 20000] [--database /tmp/bench-readings.db]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from identity.device import Device, DeviceRegistry
from oracle.readings import Reading, ReadingIntake
from oracle.readings_store import SqlReadingStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--readings", type=int, default=20_000)
    parser.add_argument("--database", type=Path, default=Path("/tmp/carbonledger-bench-readings.db"))
    arguments = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{arguments.database}{suffix}").unlink(missing_ok=True)

    folder = Path(tempfile.mkdtemp(prefix="carbonledger-bench-devices-"))
    registry = DeviceRegistry(folder / "devices.json")
    keys = {}
    for number in range(arguments.devices):
        device_id = f"meter-{number:04d}"
        keys[device_id] = Ed25519PrivateKey.generate()
        public_key = keys[device_id].public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        registry.register(Device(device_id, public_key, "QZ0001", "F01", "purchased-energy/electricity", "kWh"))

    now = datetime.now(timezone.utc).replace(microsecond=0)
    payloads = []
    for number in range(arguments.readings):
        device_id = f"meter-{number % arguments.devices:04d}"
        stamp = (now - timedelta(seconds=arguments.readings - number)).isoformat().replace("+00:00", "Z")
        reading = Reading(device_id, number // arguments.devices + 1, stamp, f"{number % 97}.5", "kWh")
        payloads.append(reading.signed_with(keys[device_id]).payload())

    intake = ReadingIntake(registry, SqlReadingStore.from_url(f"sqlite:///{arguments.database}"),
                           window=timedelta(seconds=arguments.readings + 600))
    started = time.perf_counter()
    for payload in payloads:
        intake.accept_reading(payload)
    elapsed_s = time.perf_counter() - started
    print(f"{arguments.readings:,} signed readings from {arguments.devices} devices accepted in {elapsed_s:.2f} s: "
          f"{arguments.readings / elapsed_s:,.0f} readings/s (verify + replay check + store, one process)")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
