"""Specification of /api/v1/records: records by 3D code with decoded code and proof, bundles, and the listing."""

from __future__ import annotations

import base64

import pytest
from flask.testing import FlaskClient

from ledger.code import ThreeDCode
from ledger.period import Period
from ledger.verify import verify_inclusion
from tests.webapp.conftest import DemoLedger


def proof(elements: list[str]) -> list[bytes]:
    return [base64.b64decode(element) for element in elements]


def test_given_a_code_when_asking_for_the_record_then_it_comes_with_its_decoded_code_and_a_proof_that_verifies(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    record = demo_ledger.record(7)
    body = client.get(f"/api/v1/records/{record.code}").get_json()
    code = ThreeDCode.parse(record.code)
    assert body["code"] == record.code
    assert body["record"] == record.to_json_object()
    assert body["canonical_json"].encode() == record.canonical_bytes()
    assert body["leaf_index"] == 7
    assert body["leaf_hash_hex"] == record.leaf_hash().hex()
    assert body["decoded_code"] == {
        "account": code.account,
        "facility": code.facility,
        "period": code.period.text,
        "scope": code.scope,
        "category": code.category,
        "source": code.source,
        "serial": 8,
    }
    assert body["tree_head"]["tree_size"] == demo_ledger.head.tree_size
    verify_inclusion(
        record.leaf_hash(), 7, demo_ledger.head.tree_size, proof(body["inclusion"]), demo_ledger.head.root_hash
    )


def test_given_a_code_in_lower_case_then_the_record_is_found_under_its_canonical_code(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    record = demo_ledger.record(2)
    body = client.get(f"/api/v1/records/{record.code.lower()}").get_json()
    assert body["code"] == record.code


def test_given_a_malformed_code_then_the_400_carries_the_code_error(client: FlaskClient) -> None:
    response = client.get("/api/v1/records/QZ0001-2025M13-1SC.NG-00001-X")
    assert response.status_code == 400
    assert response.get_json()["detail"].startswith("period:")


def test_given_a_code_with_a_wrong_check_character_then_it_is_400(client: FlaskClient, demo_ledger: DemoLedger) -> None:
    code = demo_ledger.record(0).code
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.get(f"/api/v1/records/{wrong_check}")
    assert response.status_code == 400
    assert "check" in response.get_json()["detail"]


def test_given_a_valid_code_whose_serial_is_beyond_the_log_then_it_is_404(client: FlaskClient) -> None:
    code = ThreeDCode("QZ0001", None, Period.parse("2025"), 1, "SC", "NG", 999).text
    response = client.get(f"/api/v1/records/{code}")
    assert response.status_code == 404
    assert "beyond the log's 27 entries" in response.get_json()["detail"]


def test_given_a_valid_code_whose_serial_holds_another_record_then_it_is_404_naming_that_record(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    stored = demo_ledger.record(0)
    other = ThreeDCode("ZZ9999", None, Period.parse("2025"), 1, "SC", "NG", 1).text
    for path in (f"/api/v1/records/{other}", f"/api/v1/records/{other}/bundle"):
        response = client.get(path)
        assert response.status_code == 404
        assert stored.code in response.get_json()["detail"]


def test_given_no_anchored_checkpoint_when_asking_for_a_bundle_then_it_proves_to_the_latest_head_without_anchor(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    record = demo_ledger.record(12)
    bundle = client.get(f"/api/v1/records/{record.code}/bundle").get_json()
    assert bundle["format"] == "carbonledger-proof-bundle/2"
    assert bundle["record"].encode() == record.canonical_bytes()
    assert bundle["leaf_index"] == 12
    assert base64.b64decode(bundle["leaf_hash"]) == record.leaf_hash()
    head = bundle["tree_head"]
    assert head["tree_size"] == demo_ledger.head.tree_size
    verify_inclusion(
        record.leaf_hash(), 12, head["tree_size"], proof(bundle["inclusion"]), base64.b64decode(head["root_hash"])
    )
    assert bundle["checkpoint"] is None
    assert bundle["anchor"] is None


def test_given_pages_of_the_listing_when_following_next_start_then_every_record_appears_once_in_log_order(
    client: FlaskClient, demo_ledger: DemoLedger
) -> None:
    codes: list[str] = []
    start: int | None = 0
    while start is not None:
        body = client.get(f"/api/v1/records?start={start}&limit=4").get_json()
        assert len(body["records"]) <= 4
        codes.extend(summary["code"] for summary in body["records"])
        start = body["next_start"]
    assert codes == [demo_ledger.record(index).code for index in range(demo_ledger.head.tree_size)]


def test_given_an_account_and_a_quarter_when_listing_then_only_that_accounts_records_within_the_quarter_appear(
    client: FlaskClient,
) -> None:
    body = client.get("/api/v1/records?account=QZ0002&period=2025Q1&limit=100").get_json()
    assert len(body["records"]) == 9
    assert {summary["account"] for summary in body["records"]} == {"QZ0002"}
    assert body["next_start"] is None
    march = client.get("/api/v1/records?account=QZ0002&period=2025M03&limit=100").get_json()
    assert {summary["period"] for summary in march["records"]} == {"2025M03"}
    assert len(march["records"]) == 3
    assert client.get("/api/v1/records?period=2024").get_json()["records"] == []


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("period=2025M13", "period"),
        ("period=25", "period"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("start=-3", "start"),
        ("account=" + "A" * 65, "account"),
    ],
)
def test_given_a_bad_listing_parameter_then_the_400_names_it(client: FlaskClient, query: str, named: str) -> None:
    response = client.get(f"/api/v1/records?{query}")
    assert response.status_code == 400
    assert response.get_json()["detail"].startswith(f"{named}:")
