"""Recomputing a record's figures from its calculation receipt alone: no factor library, no network.

The receipt's numbers go through the same arithmetic as the original calculation (ledger.calc.calculate
`emission_of`), so a record whose receipt is intact reproduces its per-gas grams, CO2e and biogenic CO2 exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext

from ledger.calc.calculate import Emission, emission_of
from ledger.calc.gwp import BIOGENIC_CO2
from ledger.calc.precision import CALC_CONTEXT
from ledger.calc.receipt import ReadReceipt, read_receipt
from ledger.errors import ReceiptError
from ledger.record import Record


def recompute(receipt: Mapping[str, object]) -> Emission:
    """The emission a receipt describes; ReceiptError if the receipt is malformed or inconsistent."""
    try:
        return _recompute(read_receipt(receipt))
    except ArithmeticError as e:
        raise ReceiptError(f"receipt: its numbers overflow the calculation ({type(e).__name__})") from e


def _recompute(read: ReadReceipt) -> Emission:
    with localcontext(CALC_CONTEXT):
        term_total = sum((term.quantity for term in read.terms), Decimal(0))
    if term_total != read.activity_quantity:
        raise ReceiptError(
            f"terms: quantities add up to {term_total}, not the activity quantity {read.activity_quantity}"
        )
    weighed_gases = {rate.gas for term in read.terms for rate in term.rates} - {BIOGENIC_CO2}
    unweighed = sorted(weighed_gases - read.gwp_values.keys())
    if unweighed:
        raise ReceiptError(f"gwp.values: no GWP for {', '.join(unweighed)}")
    return emission_of([(term.quantity, term.rates) for term in read.terms], read.gwp_values)


def check_record(record: Record) -> Emission:
    """Recompute `record` from its receipt; ReceiptError naming every figure that differs from the record's."""
    read = read_receipt(record.receipt)
    mismatches = []
    if read.activity_quantity != record.activity_quantity or read.activity_unit != record.activity_unit:
        mismatches.append(
            f"activity: receipt says {read.activity_quantity} {read.activity_unit}, "
            f"record says {record.activity_quantity} {record.activity_unit}"
        )
    if read.gwp_set != record.gwp_set:
        mismatches.append(f"gwp_set: receipt says {read.gwp_set}, record says {record.gwp_set}")
    emission = recompute(record.receipt)
    if dict(emission.gases_g) != dict(record.gases_g):
        mismatches.append(f"gases_g: recomputed {_grams(emission.gases_g)}, record holds {_grams(record.gases_g)}")
    if emission.co2e_g != record.co2e_g:
        mismatches.append(f"co2e_g: recomputed {emission.co2e_g}, record holds {record.co2e_g}")
    if emission.biogenic_co2_g != record.biogenic_co2_g:
        mismatches.append(f"biogenic_co2_g: recomputed {emission.biogenic_co2_g}, record holds {record.biogenic_co2_g}")
    if mismatches:
        raise ReceiptError("record does not match its receipt: " + "; ".join(mismatches))
    return emission


def _grams(gases_g: Mapping[str, Decimal]) -> str:
    return ", ".join(f"{gas} {mass_g}" for gas, mass_g in sorted(gases_g.items()))
