"""The identity of an ingested record, and the log key derived from it that makes re-imports idempotent.

Two rows are the same record when they agree on account, facility, period, source, scope 2 method,
activity quantity and unit, calorific basis, factor (id and dataset version), contractual instruments,
GWP set and ISO category. The key is a SHA-256 of those fields, so the log can refuse a second copy.
"""

from __future__ import annotations

import hashlib

from ledger.calc.calculate import ActivityKind
from ledger.calc.factors import Factor
from ledger.calc.precision import CALC_CONTEXT
from oracle.ingest.validate import ActivityRow

KEY_PREFIX = "activity:v1:"
_FIELD_SEPARATOR = "\x1f"


def identity_digest(row: ActivityRow, kind: ActivityKind, factor: Factor) -> bytes:
    """SHA-256 over the fields that make a record the same record (numbers normalised: 1.50 = 1.5)."""
    instrument = row.instrument_quantity if kind.scope2_method == "market" else None
    fields = (
        row.account,
        row.facility or "",
        row.period,
        row.source.slug,
        kind.scope2_method or "",
        str(CALC_CONTEXT.normalize(row.quantity)),
        row.unit,
        row.calorific_basis or "",
        factor.factor_id,
        factor.version,
        "" if instrument is None else str(CALC_CONTEXT.normalize(instrument)),
        kind.instrument_factor_id or "",
        row.gwp_set,
        str(row.iso_category),
    )
    return hashlib.sha256(_FIELD_SEPARATOR.join(fields).encode("utf-8")).digest()


def log_key(digest: bytes) -> str:
    return KEY_PREFIX + digest.hex()
