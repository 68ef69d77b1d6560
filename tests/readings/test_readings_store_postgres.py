"""The reading store on PostgreSQL: under real concurrency (no SQLite write lock to serialise writers) two
copies of a reading still give exactly one accepted, on a device's first reading as on later ones."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from identity.device import DeviceRegistry
from oracle.readings import ReadingIntake, ReplayedReadingError
from oracle.readings_store import SqlReadingStore
from tests import postgres_server
from tests.readings.conftest import Clock, MeterRig

pytestmark = pytest.mark.skipif(not postgres_server.available(), reason="PostgreSQL server binaries not installed")


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server.postgres_server() as url:
        yield url


def test_given_postgres_when_copies_of_readings_race_then_exactly_one_of_each_is_accepted(
    postgres_url: str, tmp_path: Path
) -> None:
    registry = DeviceRegistry.in_state_dir(tmp_path)
    store = SqlReadingStore.from_url(postgres_url)
    clock = Clock()
    rig = MeterRig(registry, store, ReadingIntake(registry, store, clock=clock), clock)
    device_ids = [f"pg-meter-{number:02d}" for number in range(8)]
    for device_id in device_ids:
        rig.add_meter(device_id)
    copies = 4
    for counter in (1, 2, 3):
        payloads = [rig.payload(counter, device_id=device_id) for device_id in device_ids]
        barrier = threading.Barrier(copies * len(payloads))
        outcomes: dict[str, list[str]] = {device_id: [] for device_id in device_ids}

        def accept(payload: dict[str, object]) -> None:
            barrier.wait()
            try:
                rig.intake.accept_reading(payload)
                outcomes[str(payload["device_id"])].append("accepted")
            except ReplayedReadingError:
                outcomes[str(payload["device_id"])].append("replayed")

        threads = [threading.Thread(target=accept, args=(payload,)) for payload in payloads for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert {device_id: sorted(found) for device_id, found in outcomes.items()} == {
            device_id: ["accepted"] + ["replayed"] * (copies - 1) for device_id in device_ids
        }
    stored = store.readings()
    assert sorted((item.reading.device_id, item.reading.counter) for item in stored) == [
        (device_id, counter) for device_id in device_ids for counter in (1, 2, 3)
    ]
    assert all(store.last_counter(device_id) == 3 for device_id in device_ids)
