"""DIDs: did:pkh:eip155 identifiers parse, print and compare with exactly one spelling per account."""

from __future__ import annotations

from typing import Any

import pytest

from identity.did import Did
from identity.errors import DidError
from tests.identity.conftest import identity_data

DIDS = identity_data("dids.json")


@pytest.mark.parametrize("case", DIDS["valid"], ids=lambda case: case["did"][:40])
def test_given_a_valid_did_when_parsed_and_printed_then_it_round_trips(case: dict[str, Any]) -> None:
    did = Did.parse(case["did"])
    assert (did.chain_id, did.address) == (case["chain_id"], case["address"])
    assert str(did) == case["did"]
    assert did.account_id == case["did"].removeprefix("did:pkh:")
    assert Did.parse(str(did)) == did


@pytest.mark.parametrize("case", DIDS["valid"], ids=lambda case: case["did"][:40])
def test_given_an_address_in_any_case_when_building_a_did_then_it_is_the_checksummed_one(case: dict[str, Any]) -> None:
    for spelling in (case["address"].lower(), "0x" + case["address"][2:].upper()):
        assert Did.for_address(case["chain_id"], spelling) == Did.parse(case["did"])


@pytest.mark.parametrize("case", DIDS["invalid"], ids=lambda case: case["desc"])
def test_given_a_malformed_did_when_parsed_then_did_error_naming_the_part(case: dict[str, Any]) -> None:
    with pytest.raises(DidError) as raised:
        Did.parse(case["did"])
    assert case["want_message"] in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_given_the_same_address_on_two_chains_then_the_dids_differ() -> None:
    address = DIDS["valid"][0]["address"]
    assert Did(1, address) != Did(137, address)
    assert Did(1, address) == Did.for_address(1, address.lower())
    assert len({Did(1, address), Did.for_address(1, address.upper().replace("0X", "0x"))}) == 1


@pytest.mark.parametrize("chain_id", [0, -1, True, "1", 10**32])
def test_given_an_impossible_chain_id_when_building_then_did_error(chain_id: Any) -> None:
    with pytest.raises(DidError, match="chain id"):
        Did(chain_id, DIDS["valid"][0]["address"])


def test_given_a_non_text_did_when_parsed_then_did_error() -> None:
    with pytest.raises(DidError, match="expected DID text"):
        Did.parse(42)  # type: ignore[arg-type]
