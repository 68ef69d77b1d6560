"""Random interleavings of every write keep the system's invariants.

A Python model follows each step: anchors of a growing log (and stale ones, which must fail), emissions postings
and corrections, allowances, offset issues, transfers and retirements (and re-retirements, which must fail) and
attestations that may supersede earlier ones. After every step the chain must agree with the model:

- heads are append-only: every anchored size keeps the root the Python log has at that size;
- every book equals the sum of its parts: allowance, the postings not corrected, and the offsets retired for it;
- no serial is retired twice, and the stored ranges partition the issued serials exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import brownie
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from ledger.log import MerkleLog
from ledger.memory_store import MemoryLogStore
from oracle.eip712 import AssuranceLevel, AttestationMessage, Opinion, SigningDomain, sign
from tests.contracts.conftest import (
    ANCHORED_SIZE,
    LOG_ID,
    LOG_ORIGIN,
    KeyedAccount,
    checkpoint_of,
    grow,
    plain,
    reverts_with,
)

YEARS = (2025, 2026)
GRAMS_PER_SERIAL = 1_000_000
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass
class Book:
    allowance_g: int = 0
    retired_g: int = 0


@dataclass
class Posting:
    account: bytes
    year: int
    co2e_g: int
    corrected: bool = False


@dataclass
class SerialRange:
    holder: str
    last: int


@dataclass
class Model:
    """What the chain should hold, as plain Python."""

    log: MerkleLog
    anchored_sizes: list[int]
    books: dict[tuple[bytes, int], Book] = field(default_factory=dict)
    postings: list[Posting] = field(default_factory=list)
    ranges: dict[int, SerialRange] = field(default_factory=dict)
    issued: int = 0
    retired_serials: set[int] = field(default_factory=set)
    attestations: list[tuple[bytes, int, int]] = field(default_factory=list)  # account, year, superseded by

    def emissions_g(self, account: bytes, year: int) -> int:
        return sum(p.co2e_g for p in self.postings if (p.account, p.year) == (account, year) and not p.corrected)


COUNT = st.integers(min_value=1, max_value=40)
AMOUNT = st.integers(min_value=0, max_value=200 * GRAMS_PER_SERIAL)
CHOICE = st.integers(min_value=0, max_value=1_000)


class SystemStateMachine(RuleBasedStateMachine):
    """Each run starts from the chain snapshot taken before the first run, with a fresh model."""

    @classmethod
    def configure(
        cls,
        ledger: Any,
        ledger_domain: SigningDomain,
        carbon_accounts: Any,
        offsets: Any,
        attestations: Any,
        oracle: KeyedAccount,
        verifier: KeyedAccount,
        accounts: list[bytes],
        holders: list[Any],
        registry: Any,
        regulator: Any,
    ) -> None:
        cls.ledger = ledger
        cls.ledger_domain = ledger_domain
        cls.carbon_accounts = carbon_accounts
        cls.offsets = offsets
        cls.attestations = attestations
        cls.attestation_domain = SigningDomain(ledger_domain.chain_id, str(attestations.address))
        cls.oracle = oracle
        cls.verifier = verifier
        cls.accounts = accounts
        cls.holders = holders
        cls.registry = registry
        cls.regulator = regulator

    def __init__(self) -> None:
        super().__init__()
        brownie.chain.revert()
        log = MerkleLog(MemoryLogStore(), LOG_ORIGIN)
        grow(log, ANCHORED_SIZE)
        self.model = Model(log=log, anchored_sizes=[ANCHORED_SIZE])

    # --- anchors ---

    @rule(count=COUNT)
    def rule_anchor(self, count: int) -> None:
        old_size = self.model.anchored_sizes[-1]
        new_size = old_size + count
        grow(self.model.log, new_size)
        message = checkpoint_of(self.model.log, new_size)
        signature = sign(self.oracle.private_key, self.ledger_domain, message)
        proof = self.model.log.consistency_proof(old_size, new_size)
        self.ledger.anchor(message.as_struct(), proof, signature, {"from": self.holders[0]})
        self.model.anchored_sizes.append(new_size)

    @rule(choice=CHOICE)
    def rule_anchor_stale(self, choice: int) -> None:
        latest = self.model.anchored_sizes[-1]
        stale_size = self.model.anchored_sizes[choice % len(self.model.anchored_sizes)]
        message = checkpoint_of(self.model.log, stale_size)
        signature = sign(self.oracle.private_key, self.ledger_domain, message)
        with reverts_with(self.ledger, "CarbonLedgerTreeSizeNotIncreasing", LOG_ID, latest, stale_size):
            self.ledger.anchor(message.as_struct(), [], signature, {"from": self.holders[0]})

    # --- books ---

    @rule(choice=CHOICE, amount=AMOUNT)
    def rule_set_allowance(self, choice: int, amount: int) -> None:
        account, year = self._inventory(choice)
        self.carbon_accounts.setAllowance(account, year, amount, {"from": self.regulator})
        self._book(account, year).allowance_g = amount

    @rule(choice=CHOICE, amount=AMOUNT)
    def rule_post(self, choice: int, amount: int) -> None:
        account, year = self._inventory(choice)
        tree_size = self.model.anchored_sizes[choice % len(self.model.anchored_sizes)]
        self.carbon_accounts.postEmissions(account, year, amount, LOG_ID, tree_size, {"from": self.oracle.account})
        self.model.postings.append(Posting(account, year, amount))
        self._book(account, year)

    @rule(choice=CHOICE, amount=AMOUNT)
    def rule_correct(self, choice: int, amount: int) -> None:
        if not self.model.postings:
            return
        index = choice % len(self.model.postings)
        corrected = self.model.postings[index]
        arguments = (index + 1, amount, LOG_ID, self.model.anchored_sizes[-1], {"from": self.oracle.account})
        if corrected.corrected:
            correction_id = self.carbon_accounts.correctedBy(index + 1)
            with reverts_with(self.carbon_accounts, "CarbonAccountsPostingAlreadyCorrected", index + 1, correction_id):
                self.carbon_accounts.correctEmissions(*arguments)
            return
        self.carbon_accounts.correctEmissions(*arguments)
        corrected.corrected = True
        self.model.postings.append(Posting(corrected.account, corrected.year, amount))

    # --- offsets ---

    @rule(count=COUNT, choice=CHOICE)
    def rule_issue(self, count: int, choice: int) -> None:
        holder = self.holders[choice % len(self.holders)]
        self.offsets.issueOffsets(b"\x01" * 32, 2024, count, holder, {"from": self.registry})
        self.model.ranges[self.model.issued + 1] = SerialRange(holder.address, self.model.issued + count)
        self.model.issued += count

    @rule(choice=CHOICE, count=COUNT)
    def rule_transfer(self, choice: int, count: int) -> None:
        picked = self._held_part(choice, count)
        if picked is None:
            return
        start, first, last = picked
        to = self.holders[(choice // 7) % len(self.holders)]
        holder = self._holder_account(self.model.ranges[start].holder)
        self.offsets.transferOffsets(start, first, last, to, {"from": holder})
        self._carve(start, first, last, to.address)

    @rule(choice=CHOICE, count=COUNT)
    def rule_retire(self, choice: int, count: int) -> None:
        picked = self._held_part(choice, count)
        if picked is None:
            return
        start, first, last = picked
        account, year = self._inventory(choice)
        holder = self._holder_account(self.model.ranges[start].holder)
        serials = set(range(first, last + 1))
        assert not serials & self.model.retired_serials
        self.offsets.retireOffsets(start, first, last, account, year, {"from": holder})
        self._carve(start, first, last, ZERO_ADDRESS)
        self.model.retired_serials |= serials
        self._book(account, year).retired_g += len(serials) * GRAMS_PER_SERIAL

    @rule(choice=CHOICE)
    def rule_retire_again(self, choice: int) -> None:
        retired = [start for start, serial_range in self.model.ranges.items() if serial_range.holder == ZERO_ADDRESS]
        if not retired:
            return
        start = retired[choice % len(retired)]
        last = self.model.ranges[start].last
        account, year = self._inventory(choice)
        with reverts_with(self.offsets, "CarbonOffsetsRangeRetired", start, last):
            self.offsets.retireOffsets(start, start, last, account, year, {"from": self.holders[0]})

    # --- attestations ---

    @rule(choice=CHOICE, supersede=st.booleans())
    def rule_attest(self, choice: int, supersede: bool) -> None:
        account, year = self._inventory(choice)
        standing = [
            number
            for number, (attested, attested_year, superseded_by) in enumerate(self.model.attestations, start=1)
            if (attested, attested_year, superseded_by) == (account, year, 0)
        ]
        supersedes = standing[-1] if supersede and standing else 0
        message = AttestationMessage(
            account_id=account,
            year=year,
            log_id=LOG_ID,
            tree_size=self.model.anchored_sizes[choice % len(self.model.anchored_sizes)],
            assurance_level=AssuranceLevel(choice % 2),
            materiality_bps=choice % 1001,
            opinion=Opinion(choice % 3),
            report_hash=choice.to_bytes(32, "big"),
            supersedes=supersedes,
            nonce=self.attestations.nonces(self.verifier.address),
        )
        signature = sign(self.verifier.private_key, self.attestation_domain, message)
        self.attestations.attest(message.as_struct(), signature, {"from": self.holders[-1]})
        self.model.attestations.append((account, year, 0))
        if supersedes:
            earlier = self.model.attestations[supersedes - 1]
            self.model.attestations[supersedes - 1] = (earlier[0], earlier[1], len(self.model.attestations))

    # --- invariants ---

    @invariant()
    def invariant_heads_are_append_only(self) -> None:
        latest = self.model.anchored_sizes[-1]
        assert self.ledger.latestHead(LOG_ID)[0] == latest
        for size in self.model.anchored_sizes:
            assert bytes(self.ledger.rootAt(LOG_ID, size)) == self.model.log.tree_head(size).root_hash

    @invariant()
    def invariant_books_equal_the_sum_of_their_parts(self) -> None:
        for (account, year), book in self.model.books.items():
            emissions_g = self.model.emissions_g(account, year)
            assert plain(self.carbon_accounts.yearBook(account, year)) == (
                book.allowance_g,
                emissions_g,
                book.retired_g,
            )
            assert self.carbon_accounts.balance(account, year) == book.allowance_g - emissions_g + book.retired_g
        assert sum(book.retired_g for book in self.model.books.values()) == (
            len(self.model.retired_serials) * GRAMS_PER_SERIAL
        )

    @invariant()
    def invariant_ranges_partition_the_issued_serials(self) -> None:
        assert self.offsets.issuedCount() == self.model.issued
        expected_start = 1
        for start in sorted(self.model.ranges):
            serial_range = self.model.ranges[start]
            assert start == expected_start
            assert plain(self.offsets.serialRange(start))[:2] == (serial_range.holder, serial_range.last)
            expected_start = serial_range.last + 1
        assert expected_start == self.model.issued + 1

    def teardown(self) -> None:
        """Once per run, the slower full comparison of postings and attestations."""
        assert self.carbon_accounts.postingCount() == len(self.model.postings)
        for number, expected in enumerate(self.model.postings, start=1):
            stored = plain(self.carbon_accounts.posting(number))
            assert (stored[0], stored[5], stored[3]) == (expected.account, expected.year, expected.co2e_g)
            assert (self.carbon_accounts.correctedBy(number) != 0) == expected.corrected
        assert self.attestations.attestationCount() == len(self.model.attestations)
        for number, (account, year, superseded_by) in enumerate(self.model.attestations, start=1):
            stored = plain(self.attestations.attestation(number))
            assert (stored[0], stored[5], stored[10]) == (account, year, superseded_by)

    # --- helpers ---

    def _inventory(self, choice: int) -> tuple[bytes, int]:
        return self.accounts[choice % len(self.accounts)], YEARS[(choice // 3) % len(YEARS)]

    def _book(self, account: bytes, year: int) -> Book:
        return self.model.books.setdefault((account, year), Book())

    def _held_part(self, choice: int, count: int) -> tuple[int, int, int] | None:
        """A held range's start and a sub-range of it, picked from `choice` and `count`, or None if none is held."""
        held = sorted(start for start, serial_range in self.model.ranges.items() if serial_range.holder != ZERO_ADDRESS)
        if not held:
            return None
        start = held[choice % len(held)]
        last_in_range = self.model.ranges[start].last
        first = start + choice % (last_in_range - start + 1)
        return start, first, min(last_in_range, first + count - 1)

    def _carve(self, start: int, first: int, last: int, new_holder: str) -> None:
        serial_range = self.model.ranges[start]
        if last < serial_range.last:
            self.model.ranges[last + 1] = SerialRange(serial_range.holder, serial_range.last)
        if first > start:
            self.model.ranges[start] = SerialRange(serial_range.holder, first - 1)
        self.model.ranges[first] = SerialRange(new_holder, last)

    def _holder_account(self, address: str) -> Any:
        return next(holder for holder in self.holders if holder.address == address)


def test_given_random_interleavings_of_every_write_when_run_then_the_invariants_hold(
    ledger: Any,
    ledger_domain: SigningDomain,
    carbon_accounts: Any,
    offsets: Any,
    attestations: Any,
    oracle: KeyedAccount,
    verifier: KeyedAccount,
    hierarchy: dict[str, bytes],
    anchored_log: MerkleLog,
    registry: Any,
    regulator: Any,
    holder: Any,
    stranger: Any,
    relayer: Any,
) -> None:
    SystemStateMachine.configure(
        ledger,
        ledger_domain,
        carbon_accounts,
        offsets,
        attestations,
        oracle,
        verifier,
        [hierarchy["park"], hierarchy["enterprise"], hierarchy["facility"]],
        [holder, stranger, relayer],
        registry,
        regulator,
    )
    brownie.chain.snapshot()
    run_state_machine_as_test(
        SystemStateMachine,
        settings=settings(max_examples=30, stateful_step_count=25, derandomize=True, database=None, deadline=None),
    )
