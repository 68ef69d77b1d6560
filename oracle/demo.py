"""The demo ledger, end to end: deployed contracts, two regions' accounts, a year of records, anchored.

`run_demo` brings a Runtime's ledger to the demo state and is idempotent: keys, deployment, roles, accounts,
allowances, records, offsets and the attestation are each created only if missing, so a second run adds
nothing. Allowances are set before the year's emissions are posted, so the tight accounts raise their
warnings on chain as the postings arrive.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from web3.exceptions import ContractCustomError, ContractLogicError

from ledger.calc.library import shipped_library
from ledger.log import MerkleLog, TreeHead
from oracle.account_registry import AccountLevel, AccountRegistry
from oracle.account_totals import account_totals
from oracle.chain_ids import account_id, short_code
from oracle.deployer import ensure_deployed, ensure_key, fund_from_dev_account
from oracle.demo_world import DEMO_YEAR, PARKS, REGIONS, SCOPE3_FACTORS, allowance_g, directory, outputs, write_activity_file
from oracle.eip712 import AssuranceLevel, AttestationMessage, Opinion, SigningDomain, log_id, sign
from oracle.ingest.factor_files import load_factor_file
from oracle.ingest.options import IngestOptions
from oracle.ingest.pipeline import ingest
from oracle.pipeline_store import CheckpointState
from oracle.record_index import RecordIndex
from oracle.runtime import ADMIN_KEY, Runtime

logger = logging.getLogger(__name__)

OWNER_KEY = "enterprise-owner"
REGISTRY_KEY = "registry"
VERIFIER_KEY = "verifier"
RELAYER_KEY = "relayer"
OFFSET_PROJECT = "CCER-DEMO-0001"
OFFSETS_ISSUED = 5_000
OFFSETS_RETIRED = 1_200
RETIRING_ACCOUNT = "QZ0003"
ATTESTED_ACCOUNT = "QZ0001"


def regulator_key(region: str) -> str:
    return f"regulator-{region.lower()}"


@dataclass(frozen=True)
class DemoSummary:
    records: int
    new_records: int
    accounts: int
    anchored_tree_size: int
    note: str | None
    warnings: int


def run_demo(runtime: Runtime, work_dir: Path) -> DemoSummary:
    ensure_deployed(runtime)
    labels = [OWNER_KEY, REGISTRY_KEY, VERIFIER_KEY, RELAYER_KEY] + [regulator_key(code) for code, _ in REGIONS]
    addresses = {label: ensure_key(runtime, label) for label in labels}
    fund_from_dev_account(runtime, list(addresses.values()))
    _grant_roles(runtime, addresses)
    registry = AccountRegistry(runtime.store.engine)
    entries = directory(_owner_of(addresses))
    registry.save_accounts(entries)
    _register_on_chain(runtime, entries)

    before = runtime.log.tree_head().tree_size
    head = load_demo_records(runtime.log, work_dir)
    RecordIndex(runtime.store.engine, runtime.origin).catch_up(runtime.log)

    totals = account_totals(json.loads(entry) for entry in runtime.log.entries(0, head.tree_size))
    known = {entry.account for entry in entries}
    # A ledger made by an earlier demo may hold accounts this directory lacks: they get no allowance here.
    strangers = sorted({account for account, _ in totals} - known)
    if strangers:
        logger.warning("the ledger holds records of accounts outside the demo directory: %s", ", ".join(strangers))
    emitted = {account: grams for (account, year), grams in totals.items() if year == DEMO_YEAR and account in known}
    registry.save_outputs(outputs({account: Decimal(grams) / 1_000_000 for account, grams in emitted.items()}))
    _set_allowances(runtime, emitted)

    rows = runtime.oracle().run_once(force=True)
    anchored = [row for row in rows if row.state is CheckpointState.ANCHORED]
    _retire_offsets(runtime, addresses)
    if anchored:
        _attest(runtime, anchored[-1].tree_size)
    carbon_accounts = runtime.contract("CarbonAccounts")
    warnings = len(carbon_accounts.events.BalanceThresholdCrossed().get_logs(
        from_block=runtime.deployment.block_number)) + len(carbon_accounts.events.BalanceWentNegative().get_logs(
        from_block=runtime.deployment.block_number))
    return DemoSummary(head.tree_size, head.tree_size - before, len(entries),
                       anchored[-1].tree_size if anchored else 0, anchored[-1].note if anchored else None, warnings)


def load_demo_records(log: MerkleLog, work_dir: Path) -> TreeHead:
    """Write the demo's year of activity to `work_dir` and import it (nothing twice); return the tree head."""
    activity_file = work_dir / f"demo-activity-{DEMO_YEAR}.csv"
    write_activity_file(activity_file)
    library = shipped_library().extended(load_factor_file(SCOPE3_FACTORS))
    ingest(activity_file, log, IngestOptions(library=library, default_gwp_set="AR5"))
    return log.tree_head()


def _owner_of(addresses: dict[str, str]) -> Callable[[str], str]:
    """Regions and parks are held by their region's regulator; the demo's enterprises by one owner key."""
    regulators = {code: addresses[regulator_key(code)] for code, _ in REGIONS}
    regulators.update({park: regulators[region] for park, _, region, _ in PARKS})
    return lambda account: regulators.get(account, addresses[OWNER_KEY])


def _send(runtime: Runtime, label: str, subject: str, call: Any) -> None:
    runtime.sender(label).send(subject, call)


def _grant_roles(runtime: Runtime, addresses: dict[str, str]) -> None:
    carbon_accounts, offsets = runtime.contract("CarbonAccounts"), runtime.contract("CarbonOffsets")
    grants = [(carbon_accounts, carbon_accounts.functions.regulatorRole(short_code(code)).call(),
               addresses[regulator_key(code)]) for code, _ in REGIONS]
    grants.append((offsets, offsets.functions.REGISTRY_ROLE().call(), addresses[REGISTRY_KEY]))
    for contract, role, holder in grants:
        if not contract.functions.hasRole(role, holder).call():
            _send(runtime, ADMIN_KEY, f"grant:{contract.address}:{role.hex()}:{holder}",
                  contract.functions.grantRole(role, holder))


def _register_on_chain(runtime: Runtime, entries: list[Any]) -> None:
    carbon_accounts = runtime.contract("CarbonAccounts")
    for entry in entries:
        identifier = account_id(entry.account)
        if _registered(carbon_accounts, identifier):
            continue
        parent = account_id(entry.parent) if entry.parent else bytes(32)
        industry = short_code(entry.industry)
        _send(runtime, regulator_key(entry.region), f"register:{entry.account}",
              carbon_accounts.functions.registerAccount(identifier, entry.owner, int(entry.level),
                                                        short_code(entry.region), industry, parent))


def _registered(carbon_accounts: Any, identifier: bytes) -> bool:
    try:
        carbon_accounts.functions.account(identifier).call()
    except (ContractCustomError, ContractLogicError):
        return False
    return True


def _set_allowances(runtime: Runtime, emitted: dict[str, int]) -> None:
    carbon_accounts = runtime.contract("CarbonAccounts")
    registry = AccountRegistry(runtime.store.engine)
    regions = {entry.account: entry.region for entry in registry.accounts() if entry.level is AccountLevel.ENTERPRISE}
    for account, grams in sorted(emitted.items()):
        identifier = account_id(account)
        book = carbon_accounts.functions.yearBook(identifier, DEMO_YEAR).call()
        if book[0] != 0:
            continue
        _send(runtime, regulator_key(regions[account]), f"allowance:{account}:{DEMO_YEAR}",
              carbon_accounts.functions.setAllowance(identifier, DEMO_YEAR, allowance_g(account, grams)))


def _retire_offsets(runtime: Runtime, addresses: dict[str, str]) -> None:
    offsets = runtime.contract("CarbonOffsets")
    since = runtime.deployment.block_number
    if offsets.functions.batchCount().call() == 0:
        project = hashlib.sha256(OFFSET_PROJECT.encode()).digest()
        _send(runtime, REGISTRY_KEY, f"offsets:issue:{OFFSET_PROJECT}",
              offsets.functions.issueOffsets(project, DEMO_YEAR - 1, OFFSETS_ISSUED, addresses[OWNER_KEY]))
    first = offsets.events.OffsetsIssued().get_logs(from_block=since)[0]["args"]["firstSerial"]
    if not offsets.events.OffsetsRetired().get_logs(from_block=since):
        _send(runtime, OWNER_KEY, f"offsets:retire:{RETIRING_ACCOUNT}:{DEMO_YEAR}",
              offsets.functions.retireOffsets(first, first, first + OFFSETS_RETIRED - 1,
                                              account_id(RETIRING_ACCOUNT), DEMO_YEAR))


def _attest(runtime: Runtime, tree_size: int) -> None:
    attestations = runtime.contract("CarbonAttestations")
    if attestations.functions.attestationCount().call() > 0:
        return
    verifier = runtime.account(VERIFIER_KEY)
    region = short_code("ZJ")
    if not attestations.functions.hasRole(attestations.functions.verifierRole(region).call(), verifier.address).call():
        _send(runtime, regulator_key("ZJ"), f"accredit:ZJ:{verifier.address}",
              attestations.functions.accreditVerifier(region, verifier.address))
    report = f"Verification statement, {ATTESTED_ACCOUNT} {DEMO_YEAR}, reasonable assurance, 5% materiality".encode()
    message = AttestationMessage(
        account_id(ATTESTED_ACCOUNT), DEMO_YEAR, log_id(runtime.origin), tree_size, AssuranceLevel.REASONABLE, 500,
        Opinion.UNQUALIFIED, hashlib.sha256(report).digest(), 0, attestations.functions.nonces(verifier.address).call(),
    )
    domain = SigningDomain(runtime.w3.eth.chain_id, attestations.address)
    signature = sign(bytes(verifier.key), domain, message)
    _send(runtime, RELAYER_KEY, f"attest:{ATTESTED_ACCOUNT}:{DEMO_YEAR}:{tree_size}",
          attestations.functions.attest(message.as_struct(), signature))
