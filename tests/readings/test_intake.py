"""The reading intake: a signed reading from a registered meter is stored once; anything else is refused with
its own error, logged without the payload, and never stored."""

from __future__ import annotations

import base64
import copy
import logging
import threading
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.errors import LedgerError
from oracle.readings import (
    BadSignatureError,
    MalformedReadingError,
    Reading,
    ReadingRejectedError,
    ReadingTimeError,
    ReplayedReadingError,
    UnitMismatchError,
    UnknownDeviceError,
)
from tests.identity.conftest import identity_data
from tests.readings.conftest import NOW, MeterRig


def test_given_a_valid_reading_when_accepted_then_it_is_stored_with_its_device_attribution(rig: MeterRig) -> None:
    accepted = rig.intake.accept_reading(rig.payload(1, quantity="12.50"))
    assert (accepted.account, accepted.facility, accepted.source) == ("ACME", "PLT1", "purchased-energy/electricity")
    assert accepted.received_at == NOW
    [stored] = rig.store.readings()
    assert stored == accepted
    assert stored.reading.quantity == "12.50"
    assert stored.signed.payload() == rig.payload(1, quantity="12.50")
    assert rig.store.last_counter("meter-001") == 1


def test_given_increasing_counters_when_accepted_then_each_is_stored_and_the_last_counter_follows(
    rig: MeterRig,
) -> None:
    for counter in (1, 2, 10, 11):
        rig.intake.accept_reading(rig.payload(counter))
    assert [accepted.reading.counter for accepted in rig.store.readings()] == [1, 2, 10, 11]
    assert rig.store.last_counter("meter-001") == 11


def refused(rig: MeterRig, payload: Any, error: type[ReadingRejectedError]) -> ReadingRejectedError:
    """Assert that `payload` is refused with `error` and that nothing was stored; the error."""
    before = rig.store.readings()
    with pytest.raises(error) as raised:
        rig.intake.accept_reading(payload)
    assert rig.store.readings() == before
    assert isinstance(raised.value, LedgerError)
    return raised.value


def test_given_an_unregistered_device_when_its_reading_arrives_then_unknown_device(rig: MeterRig) -> None:
    stranger = Ed25519PrivateKey.generate()
    payload = Reading("meter-999", 1, "2025-03-14T09:29:00Z", "1", "kWh").signed_with(stranger).payload()
    error = refused(rig, payload, UnknownDeviceError)
    assert "meter-999" in str(error) and isinstance(error, KeyError)
    assert rig.store.last_counter("meter-999") is None


def test_given_a_reading_signed_by_another_key_when_it_arrives_then_bad_signature(rig: MeterRig) -> None:
    impostor = Ed25519PrivateKey.generate()
    payload = Reading("meter-001", 1, "2025-03-14T09:29:00Z", "1", "kWh").signed_with(impostor).payload()
    refused(rig, payload, BadSignatureError)
    assert rig.store.last_counter("meter-001") is None


@pytest.mark.parametrize(
    ("field", "altered"),
    [
        ("counter", 2),
        ("timestamp", "2025-03-14T09:29:01Z"),
        ("quantity", "125"),
        ("unit", "MWh"),
        ("device_id", "meter-002"),
    ],
)
def test_given_a_field_altered_after_signing_when_it_arrives_then_bad_signature(
    rig: MeterRig, field: str, altered: object
) -> None:
    rig.add_meter("meter-002")
    payload = rig.payload(1)
    payload[field] = altered
    refused(rig, payload, BadSignatureError)


def test_given_a_flipped_bit_in_the_signature_when_it_arrives_then_bad_signature(rig: MeterRig) -> None:
    payload = rig.payload(1)
    signature = bytearray(base64.b64decode(payload["signature"]))
    signature[17] ^= 0x01
    payload["signature"] = base64.b64encode(bytes(signature)).decode()
    refused(rig, payload, BadSignatureError)


def test_given_a_unit_other_than_the_registered_one_when_signed_by_the_device_then_unit_mismatch(rig: MeterRig) -> None:
    error = refused(rig, rig.payload(1, unit="MWh"), UnitMismatchError)
    assert "'MWh'" in str(error) and "'kWh'" in str(error)


def test_given_the_same_reading_twice_when_accepted_then_the_second_is_a_replay(rig: MeterRig) -> None:
    payload = rig.payload(5)
    rig.intake.accept_reading(payload)
    error = refused(rig, payload, ReplayedReadingError)
    assert isinstance(error, ReplayedReadingError)
    assert (error.device_id, error.counter, error.last_counter) == ("meter-001", 5, 5)
    assert len(rig.store.readings()) == 1


def test_given_a_lower_counter_after_a_higher_one_when_it_arrives_then_a_replay(rig: MeterRig) -> None:
    rig.intake.accept_reading(rig.payload(7))
    refused(rig, rig.payload(6, quantity="99"), ReplayedReadingError)
    assert rig.store.last_counter("meter-001") == 7


def test_given_two_devices_then_each_has_its_own_counter(rig: MeterRig) -> None:
    rig.add_meter("meter-002")
    rig.intake.accept_reading(rig.payload(7))
    rig.intake.accept_reading(rig.payload(1, device_id="meter-002"))
    assert (rig.store.last_counter("meter-001"), rig.store.last_counter("meter-002")) == (7, 1)


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (timedelta(minutes=-5), True),
        (timedelta(minutes=5), True),
        (timedelta(minutes=-5, microseconds=-1), False),
        (timedelta(minutes=5, microseconds=1), False),
        (timedelta(days=-40), False),
        (timedelta(hours=1), False),
    ],
)
def test_given_a_timestamp_at_or_beyond_the_window_when_it_arrives_then_only_those_inside_are_accepted(
    rig: MeterRig, offset: timedelta, accepted: bool
) -> None:
    timestamp = (NOW + offset).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = rig.payload(1, timestamp=timestamp)
    if accepted:
        assert rig.intake.accept_reading(payload).reading.timestamp == timestamp
    else:
        error = refused(rig, payload, ReadingTimeError)
        assert ("ahead of" if offset > timedelta(0) else "behind") in str(error)


def apply_case(payload: dict[str, Any], case: dict[str, Any]) -> Any:
    if "payload" in case:
        return case["payload"]
    changed = copy.deepcopy(payload)
    if "delete" in case:
        del changed[case["delete"]]
    else:
        changed[case["set"]["field"]] = case["set"]["value"]
    return changed


@pytest.mark.parametrize("case", identity_data("reading-malformed.json")["cases"], ids=lambda case: case["desc"])
def test_given_a_malformed_payload_when_it_arrives_then_malformed_reading_naming_the_field(
    rig: MeterRig, case: dict[str, Any]
) -> None:
    error = refused(rig, apply_case(rig.payload(1), case), MalformedReadingError)
    assert isinstance(error, MalformedReadingError) and error.field == case["want_field"]
    assert str(error).startswith(case["want_field"] + ":")


def test_given_refused_readings_then_each_is_logged_with_its_reason_but_not_its_signature(
    rig: MeterRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    payload = rig.payload(1)
    rig.intake.accept_reading(payload)
    tampered = dict(rig.payload(2), quantity="0")
    for bad in (payload, tampered, dict(payload, counter="x")):
        with pytest.raises(ReadingRejectedError):
            rig.intake.accept_reading(bad)
    rejections = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert [message.split(")")[0] for message in rejections] == [
        "reading rejected (replayed",
        "reading rejected (bad-signature",
        "reading rejected (malformed",
    ]
    assert payload["signature"] not in caplog.text and tampered["signature"] not in caplog.text


def test_given_two_concurrent_copies_of_a_reading_then_exactly_one_is_accepted(rig: MeterRig) -> None:
    rig.add_meter("meter-002")
    for round_number in range(1, 11):
        # meter-002 races on its very first reading (no counter row yet); meter-001 on later ones.
        for device_id in ("meter-001", "meter-002"):
            payload = rig.payload(round_number, device_id=device_id)
            barrier = threading.Barrier(2)
            outcomes: list[str] = []

            def accept() -> None:
                barrier.wait()
                try:
                    rig.intake.accept_reading(payload)
                    outcomes.append("accepted")
                except ReplayedReadingError:
                    outcomes.append("replayed")

            threads = [threading.Thread(target=accept) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(outcomes) == ["accepted", "replayed"]
    assert len(rig.store.readings()) == 20
    assert (rig.store.last_counter("meter-001"), rig.store.last_counter("meter-002")) == (10, 10)
