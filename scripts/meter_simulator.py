"""Play IoT meters: register simulated devices, sign readings, and print them or POST them to an intake.

    python scripts/meter_simulator.py [--devices 3] [--readings 5] [--url URL] [--replay] [--tamper]
                                      [--state-dir DIR] [--account SIM] [--facility F] [--source S] [--unit U]

Devices `sim-meter-001`, `sim-meter-002`, ... are registered in <state>/devices.json, their keys kept under
<state>/keys/devices/ encrypted with the key password (CARBONLEDGER_KEY_PASSWORD or a prompt); a second run
reuses them. Counters are milliseconds since the Unix epoch, raised where needed to stay strictly increasing,
so a later run carries on without any stored simulator state.

Without --url every signed reading is printed as one JSON line. With --url each is POSTed as JSON and the
answer reported. --replay sends the last reading again unchanged; --tamper signs a fresh reading and alters
its quantity afterwards. Both must be refused: with --url the exit status is 0 only if every regular reading
was accepted (2xx) and every replayed or tampered one refused (4xx).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.device import Device, DeviceRegistry
from identity.device_key import create_device_key, load_device_key, raw_public_key
from identity.keystore import KEYS_FOLDER
from identity.password import key_password
from ledger.errors import LedgerError
from oracle import settings
from oracle.readings import Reading, SignedReading

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_MILLISECOND = timedelta(milliseconds=1)
_TIMEOUT_S = 10.0


@dataclass
class SimulatedMeter:
    """One meter: its id, key and unit, and the last counter it used."""

    device_id: str
    key: Ed25519PrivateKey
    unit: str
    last_counter: int = 0

    def read(self, quantity: str, now: datetime) -> SignedReading:
        self.last_counter = max(self.last_counter + 1, (now - _EPOCH) // _ONE_MILLISECOND)
        timestamp = now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return Reading(self.device_id, self.last_counter, timestamp, quantity, self.unit).signed_with(self.key)


def meters(arguments: argparse.Namespace, password: str) -> list[SimulatedMeter]:
    """The simulated meters, registered (device and key) on first use."""
    state_dir = Path(arguments.state_dir)
    keys_dir = state_dir / KEYS_FOLDER
    registry = DeviceRegistry.in_state_dir(state_dir)
    found = []
    for number in range(1, arguments.devices + 1):
        device_id = f"{arguments.prefix}-{number:03d}"
        device = registry.find(device_id)
        if device is None:
            key = create_device_key(keys_dir, device_id, password)
            device = Device(device_id, raw_public_key(key), arguments.account, arguments.facility, arguments.source,
                            arguments.unit)
            registry.register(device)
            print(f"registered {device_id} for {device.account} ({device.source}, {device.unit})", file=sys.stderr)
        else:
            key = load_device_key(keys_dir, device_id, password)
        found.append(SimulatedMeter(device_id, key, device.unit))
    return found


def post(url: str, payload: dict[str, str | int]) -> tuple[int, str]:
    """POST `payload` as JSON; the HTTP status and the answer's body."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode("utf-8", "replace")


def deliver(arguments: argparse.Namespace, what: str, signed: SignedReading, should_be_accepted: bool) -> bool:
    """Print or send one reading; whether its fate was the expected one (always True when printing)."""
    payload = signed.payload()
    if arguments.url is None:
        if not should_be_accepted:
            print(f"next line: {what}, which an intake must refuse", file=sys.stderr)
        print(json.dumps(payload, sort_keys=True))
        return True
    status, body = post(arguments.url, payload)
    accepted = 200 <= status < 300
    verdict = "accepted" if accepted else "refused"
    print(f"{what} {signed.reading.device_id} #{signed.reading.counter}: {status} {verdict} {body.strip()[:200]}")
    return accepted if should_be_accepted else 400 <= status < 500


def simulate(arguments: argparse.Namespace) -> int:
    password = key_password()
    simulated = meters(arguments, password)
    quantities = random.Random(arguments.seed)
    as_expected = True
    last: SignedReading | None = None
    for _ in range(arguments.readings):
        for meter in simulated:
            quantity = str(Decimal(quantities.randrange(0, 100_000)).scaleb(-3))
            last = meter.read(quantity, datetime.now(timezone.utc))
            as_expected &= deliver(arguments, "reading", last, should_be_accepted=True)
    if arguments.replay and last is not None:
        as_expected &= deliver(arguments, "replayed reading", last, should_be_accepted=False)
    if arguments.tamper and simulated:
        signed = simulated[0].read("1.000", datetime.now(timezone.utc))
        tampered = replace(signed, reading=replace(signed.reading, quantity="1000.000"))
        as_expected &= deliver(arguments, "tampered reading", tampered, should_be_accepted=False)
    if arguments.url is not None:
        fate = "every reading met its" if as_expected else "some readings did not meet their"
        print(f"{fate} expected fate")
    return 0 if as_expected else 1


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state-dir", default=str(settings.STATE_DIR), help="state folder [CARBONLEDGER_HOME]")
    parser.add_argument("--devices", type=int, default=3, help="how many meters")
    parser.add_argument("--readings", type=int, default=5, help="readings per meter")
    parser.add_argument("--prefix", default="sim-meter", help="device ids are <prefix>-001, <prefix>-002, ...")
    parser.add_argument("--account", default="SIM", help="account of newly registered meters")
    parser.add_argument("--facility", default=None, help="facility of newly registered meters")
    parser.add_argument("--source", default="purchased-energy/electricity", help="source of newly registered meters")
    parser.add_argument("--unit", default="kWh", help="unit of newly registered meters")
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated quantities")
    parser.add_argument("--url", default=None, help="POST readings here instead of printing them")
    parser.add_argument("--replay", action="store_true", help="also send the last reading again")
    parser.add_argument("--tamper", action="store_true", help="also send a reading altered after signing")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        return simulate(arguments)
    except (LedgerError, urllib.error.URLError) as error:
        print(f"meter_simulator: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
