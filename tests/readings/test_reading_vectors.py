"""Known-answer vectors: what a reading's signed bytes are, and the one signature a known key makes of them."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.device import Device
from identity.device_key import raw_public_key
from oracle.readings import READING_DOMAIN, Reading, SignedReading
from tests.identity.conftest import identity_data

VECTORS = identity_data("reading-vectors.json")
DEVICE_KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTORS["device_key"]["secret_key"]))


def test_given_the_rfc_8032_test_key_then_it_is_the_published_one() -> None:
    assert raw_public_key(DEVICE_KEY).hex() == VECTORS["device_key"]["public_key"]
    assert DEVICE_KEY.sign(b"").hex() == VECTORS["device_key"]["empty_message_signature"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["desc"])
def test_given_a_reading_then_its_signed_bytes_signature_and_period_are_the_known_ones(case: dict[str, Any]) -> None:
    reading = Reading(**case["reading"])
    assert reading.signed_bytes().decode("utf-8") == case["want_signed_bytes"]
    # An independent RFC 8785 encoder agrees on the bytes.
    assert rfc8785.dumps({**case["reading"], "domain": READING_DOMAIN}) == reading.signed_bytes()
    signed = reading.signed_with(DEVICE_KEY)
    assert base64.b64encode(signed.signature).decode("ascii") == case["want_signature"]
    assert reading.period == case["want_period"]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["desc"])
def test_given_a_known_payload_when_parsed_then_the_device_verifies_it(case: dict[str, Any]) -> None:
    payload = {**case["reading"], "signature": case["want_signature"]}
    signed = SignedReading.from_payload(payload)
    assert signed.payload() == payload
    device = Device("meter-001", raw_public_key(DEVICE_KEY), "ACME", None, "purchased-energy/electricity", "kWh")
    assert device.verifies(signed.signature, signed.reading.signed_bytes())
