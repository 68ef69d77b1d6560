"""The exception hierarchy of the ledger core: one root, one subclass per failure domain.

Each error also inherits the builtin it stands in for (mostly ValueError), so callers that only know the
builtin still catch it, while callers that know the domain can tell failures apart.
"""

from __future__ import annotations

from dataclasses import dataclass


class LedgerError(Exception):
    """Root of every error the ledger core raises."""


class CanonicalError(LedgerError, ValueError):
    """A value cannot be serialised as canonical JSON (RFC 8785) under the ledger's rules."""


class RecordError(LedgerError, ValueError):
    """A record is malformed: a field is missing, has the wrong type, or holds a forbidden value."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class CodeError(LedgerError, ValueError):
    """A 3D code is malformed or its check character does not match."""


class ProofError(LedgerError, ValueError):
    """A Merkle proof, or a request for one, is invalid."""


class ProofShapeError(ProofError):
    """A proof has the wrong number of elements, an element of the wrong size, or impossible sizes/indices."""


class RootMismatchError(ProofError):
    """A proof was well formed but led to a different root than the one expected for a tree size."""

    def __init__(self, tree_size: int, expected_root: bytes, computed_root: bytes) -> None:
        super().__init__(
            f"tree size {tree_size}: computed root {computed_root.hex()} "
            f"does not match expected root {expected_root.hex()}"
        )
        self.tree_size = tree_size
        self.expected_root = expected_root
        self.computed_root = computed_root


class LogError(LedgerError):
    """The Merkle log cannot answer or accept a request."""


class LogNotFoundError(LogError, KeyError):
    """No log with the given origin exists."""


class EntryNotFoundError(LogError, KeyError):
    """No entry with the given index or leaf hash exists in the log."""


class TreeSizeError(LogError, ValueError):
    """A tree size or index lies outside what the log holds."""


class DuplicateEntryError(LogError, ValueError):
    """An append carried a key that the log already holds (or twice); nothing was written."""

    def __init__(self, keys: list[str]) -> None:
        shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        super().__init__(f"{len(keys)} key(s) already in the log: {shown}")
        self.keys = keys


class ConcurrentAppendError(LogError):
    """The log grew between reading its size and committing an append; nothing was written."""

    def __init__(self, expected_size: int, actual_size: int) -> None:
        super().__init__(f"expected tree size {expected_size}, but the log holds {actual_size}")
        self.expected_size = expected_size
        self.actual_size = actual_size


class CanonicalValueError(CanonicalError):
    """A value inside a JSON document cannot be canonicalised; `path` says where (`$.receipt.factor.value`)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class PeriodError(LedgerError, ValueError):
    """A reporting period is malformed or names a year, quarter, month or day that does not exist."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"period: {reason}")
        self.reason = reason


class CodeFormatError(CodeError):
    """A 3D code breaks the code syntax, or one of its parts holds an impossible value; `part` names it."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part}: {reason}")
        self.part = part
        self.reason = reason


class CheckCharacterError(CodeError):
    """A well-formed 3D code whose check character does not fit the rest: it was mistyped or altered."""


# --- Emission calculation, factor data and file ingestion ---


class CalculationError(LedgerError, ValueError):
    """An emission cannot be calculated from the given activity, factor and GWP set."""


class UnitError(CalculationError):
    """A unit is unknown, or an activity unit cannot be converted to the unit a factor is given per."""


class CalorificBasisError(CalculationError):
    """Activity and factor state energy on different calorific bases (NCV/GCV) and no conversion is configured."""


class GwpError(CalculationError):
    """The GWP set is unknown, or it has no global warming potential for a gas."""


class FactorNotFoundError(CalculationError, KeyError):
    """No factor has the given id, or no dataset names a default factor for a source."""

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; the message reads better as written.
        return str(self.args[0])


class ReceiptError(LedgerError, ValueError):
    """A calculation receipt is malformed, or the figures it reproduces differ from the record's."""


@dataclass(frozen=True)
class Issue:
    """One problem in a data file: where it is (row 1 is the header), the offending value, and why."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.reason}{shown}"


class DataFileError(LedgerError, ValueError):
    """A data file was rejected whole; `issues` lists the problems found in one pass, not only the first.

    `issue_count` counts every problem; `issues` keeps the first ones when a file has very many.
    """

    def __init__(self, issues: tuple[Issue, ...], issue_count: int | None = None) -> None:
        self.issues = issues
        self.issue_count = len(issues) if issue_count is None else issue_count
        lines = [str(issue) for issue in issues]
        if self.issue_count > len(issues):
            lines.append(f"... and {self.issue_count - len(issues)} more")
        super().__init__(f"{self.issue_count} problem(s):\n  " + "\n  ".join(lines))


class FactorDataError(DataFileError):
    """A factor dataset, shipped or user-supplied, holds malformed rows."""


class IngestError(DataFileError):
    """An activity file was rejected; nothing from it was written."""


# --- Chain: EIP-712 typed data and contract deployment ---


class TypedDataError(LedgerError, ValueError):
    """A field of an EIP-712 message (checkpoint or attestation) is out of range or of the wrong size."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DeploymentError(LedgerError):
    """The contracts could not be compiled or deployed, or a deployment file is unreadable."""


# --- Explorer and JSON API ---


class RequestError(LedgerError, ValueError):
    """A request to the explorer or its API holds a missing, malformed or out-of-range value; `field` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


# --- Proof bundles ---


class BundleFormatError(LedgerError, ValueError):
    """A proof bundle document is malformed; `field` names the first member that is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


# --- Carbon accounts: ratings, roles, evidence, attestations, sign-in, chain reads ---


class RatingRuleError(LedgerError, ValueError):
    """The rating rule's configuration (industry benchmarks, colour bands) is malformed; the message names the
    file and the field."""


class RoleError(LedgerError, ValueError):
    """A role name is not one of oracle, regulator:<REGION>, verifier:<REGION>, registry, admin."""


class UnknownAccountError(LedgerError, KeyError):
    """No account with the given id is in the account directory."""

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; the message reads better as written.
        return str(self.args[0])


class NoAnchoredCheckpointError(LedgerError, KeyError):
    """The log has no checkpoint anchored on chain yet, so there is nothing to prove records against."""

    def __str__(self) -> str:
        return str(self.args[0])


class AttestationFormatError(LedgerError, ValueError):
    """A signed attestation document is malformed; `field` names the part that is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class AttestationRejectedError(LedgerError, ValueError):
    """A well-formed signed attestation that the chain would refuse (wrong domain, unknown account, checkpoint
    not anchored, a superseded predecessor...); nothing was sent."""


class UnaccreditedVerifierError(AttestationRejectedError):
    """The attestation's signature recovers to an address that is not an accredited verifier of the region."""


class AttestationNonceError(AttestationRejectedError):
    """The attestation's nonce is not the verifier's next nonce: it was relayed already, or signed too early."""


class ChainUnavailableError(LedgerError, ConnectionError):
    """The chain cannot be reached, or holds no deployment of the contracts the ledger names."""


class RelayerUnavailableError(LedgerError, RuntimeError):
    """The explorer holds no usable relayer key (missing, or no key password in its environment)."""


class AuthenticationError(LedgerError, PermissionError):
    """A write was asked for without valid credentials (session sign-in or API token)."""


class AuthorizationError(LedgerError, PermissionError):
    """The signed-in address or API token does not hold the role a write needs."""


class CsrfError(LedgerError, PermissionError):
    """A form or session-authenticated request came without the session's CSRF token, or with another one."""
