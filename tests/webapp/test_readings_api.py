"""Specification of POST /api/v1/readings: signed meter readings accepted once, refusals with the right status."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask.testing import FlaskClient

from identity.device import Device, DeviceRegistry
from identity.device_key import raw_public_key
from oracle.readings import Reading
from oracle.readings_store import SqlReadingStore
from webapp import create_app

DEVICE_ID = "meter-001"


@pytest.fixture
def device_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def client(tmp_path: Path, device_key: Ed25519PrivateKey, database_url: str) -> FlaskClient:
    devices = tmp_path / "devices.json"
    DeviceRegistry(devices).register(Device(DEVICE_ID, raw_public_key(device_key), "QZ0001", "F01",
                                            "purchased-energy/electricity", "kWh"))
    app = create_app({"DATABASE_URL": database_url, "LOG_ORIGIN": "carbonledger.test/readings",
                      "DEVICE_REGISTRY_FILE": str(devices), "SECRET_KEY": "test-only"})
    return app.test_client()


def signed_payload(key: Ed25519PrivateKey, counter: int, *, unit: str = "kWh", device_id: str = DEVICE_ID,
                   at: datetime | None = None) -> dict[str, Any]:
    moment = at or datetime.now(timezone.utc)
    reading = Reading(device_id, counter, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "12.5", unit)
    return reading.signed_with(key).payload()


def test_given_a_signed_reading_when_posted_then_it_is_stored_and_attributed_to_its_devices_account(
    client: FlaskClient, device_key: Ed25519PrivateKey, database_url: str
) -> None:
    payload = signed_payload(device_key, 1)
    response = client.post("/api/v1/readings", json=payload)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["device_id"], answer["counter"], answer["account"], answer["facility"]) == (
        DEVICE_ID, 1, "QZ0001", "F01")
    assert (answer["quantity"], answer["unit"], answer["source"]) == ("12.5", "kWh", "purchased-energy/electricity")
    assert answer["period"] == payload["timestamp"][:4] + "M" + payload["timestamp"][5:7]
    stored = SqlReadingStore.from_url(database_url).readings()
    assert [accepted.signed.payload() for accepted in stored] == [payload]


def test_given_the_same_reading_twice_then_the_second_is_a_conflict_and_not_stored(
    client: FlaskClient, device_key: Ed25519PrivateKey, database_url: str
) -> None:
    payload = signed_payload(device_key, 7)
    assert client.post("/api/v1/readings", json=payload).status_code == 200
    replayed = client.post("/api/v1/readings", json=payload)
    assert replayed.status_code == 409
    assert replayed.get_json()["detail"].startswith("replayed: ")
    assert len(SqlReadingStore.from_url(database_url).readings()) == 1


@pytest.mark.parametrize(
    "change, status, reason",
    [
        ({"device_id": "meter-999"}, 404, "unknown-device"),
        ({"quantity": "13.5"}, 422, "bad-signature"),
        ({"counter": "one"}, 422, "malformed"),
        ({"extra": 1}, 422, "malformed"),
    ],
    ids=["unknown device", "a field changed after signing", "a counter that is no number", "an extra field"],
)
def test_given_a_reading_that_is_refused_then_the_status_and_the_reason_say_why_and_nothing_is_stored(
    client: FlaskClient, device_key: Ed25519PrivateKey, database_url: str, change: dict[str, Any], status: int,
    reason: str
) -> None:
    payload = {**signed_payload(device_key, 3), **change}
    response = client.post("/api/v1/readings", json=payload)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith(f"{reason}: ")
    assert SqlReadingStore.from_url(database_url).readings() == []


def test_given_a_reading_in_another_unit_or_from_an_hour_ago_then_it_is_unprocessable(
    client: FlaskClient, device_key: Ed25519PrivateKey
) -> None:
    other_unit = client.post("/api/v1/readings", json=signed_payload(device_key, 4, unit="MWh"))
    assert (other_unit.status_code, other_unit.get_json()["detail"].split(":")[0]) == (422, "unit-mismatch")
    stale = signed_payload(device_key, 5, at=datetime.now(timezone.utc) - timedelta(hours=1))
    late = client.post("/api/v1/readings", json=stale)
    assert (late.status_code, late.get_json()["detail"].split(":")[0]) == (422, "timestamp-outside-window")


def test_given_a_body_that_is_not_json_then_it_is_a_bad_request(client: FlaskClient) -> None:
    response = client.post("/api/v1/readings", data="counter=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "must be JSON" in response.get_json()["detail"]
