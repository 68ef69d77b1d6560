"""The ledger's roles on chain by name, and the contract calls that grant, revoke and check them.

    oracle              CarbonLedger `oracleRole(logId)` of this ledger's log: signs and anchors checkpoints,
                        posts account totals.
    regulator:<REGION>  CarbonAccounts `regulatorRole(region)`: registers the region's accounts, sets allowances,
                        accredits verifiers.
    verifier:<REGION>   CarbonAttestations `verifierRole(region)`: attests inventories of the region's accounts.
                        Granted and withdrawn by a regulator of the region (`accreditVerifier`,
                        `withdrawAccreditation`), not by the admin.
    registry            CarbonOffsets `REGISTRY_ROLE`: issues offsets.
    admin               `DEFAULT_ADMIN_ROLE` of all four contracts: appoints oracles, regulators and registries.

Role ids are read from the contracts' own views, so they are derived in one place (contracts/CarbonRoles.sol).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from ledger.errors import RoleError
from oracle.chain_ids import short_code
from oracle.eip712 import log_id

ROLE_NAMES = ("oracle", "regulator", "verifier", "registry", "admin")
REGIONAL_ROLES = frozenset({"regulator", "verifier"})
ADMIN_CONTRACTS = ("CarbonLedger", "CarbonAccounts", "CarbonOffsets", "CarbonAttestations")
DEFAULT_ADMIN_ROLE = bytes(32)
_REGION = re.compile(r"[A-Za-z0-9_.-]{1,8}")


class ContractSource(Protocol):
    """Where deployed contracts come from (oracle.runtime.Runtime, webapp.chain_reader.ChainReader)."""

    def contract(self, name: str) -> Any: ...


@dataclass(frozen=True)
class Role:
    """A role by name, and for regulators and verifiers the region it is scoped to."""

    name: str
    region: str | None = None

    def __post_init__(self) -> None:
        if self.name not in ROLE_NAMES:
            raise RoleError(f"role {self.name!r} is not one of {', '.join(ROLE_NAMES)}")
        if self.name in REGIONAL_ROLES and self.region is None:
            raise RoleError(f"role {self.name}: needs a region, as in {self.name}:ZJ")
        if self.name not in REGIONAL_ROLES and self.region is not None:
            raise RoleError(f"role {self.name}: takes no region")
        if self.region is not None and not _REGION.fullmatch(self.region):
            raise RoleError(f"role {self.name}: region {self.region!r} must be 1 to 8 letters, digits, '_', '.' or '-'")

    @classmethod
    def parse(cls, text: str) -> Role:
        """`oracle`, `regulator:<REGION>`, `verifier:<REGION>`, `registry` or `admin`."""
        name, separator, region = text.partition(":")
        return cls(name, region if separator else None)

    @property
    def text(self) -> str:
        return self.name if self.region is None else f"{self.name}:{self.region}"


@dataclass(frozen=True)
class RoleSlot:
    """Where a role lives: an AccessControl role id in one contract."""

    contract: Any
    role_id: bytes


def role_slots(role: Role, contracts: ContractSource, origin: str) -> list[RoleSlot]:
    """The contract roles that make up `role` (the admin role is one per contract)."""
    if role.name == "admin":
        return [RoleSlot(contracts.contract(name), DEFAULT_ADMIN_ROLE) for name in ADMIN_CONTRACTS]
    if role.name == "oracle":
        ledger = contracts.contract("CarbonLedger")
        return [RoleSlot(ledger, bytes(ledger.functions.oracleRole(log_id(origin)).call()))]
    if role.name == "registry":
        offsets = contracts.contract("CarbonOffsets")
        return [RoleSlot(offsets, bytes(offsets.functions.REGISTRY_ROLE().call()))]
    assert role.region is not None
    if role.name == "regulator":
        accounts = contracts.contract("CarbonAccounts")
        return [RoleSlot(accounts, bytes(accounts.functions.regulatorRole(short_code(role.region)).call()))]
    attestations = contracts.contract("CarbonAttestations")
    return [RoleSlot(attestations, bytes(attestations.functions.verifierRole(short_code(role.region)).call()))]


def holds_role(role: Role, address: str, contracts: ContractSource, origin: str) -> bool:
    """Whether `address` holds `role` on chain (every one of its contract roles)."""
    return all(slot.contract.functions.hasRole(slot.role_id, address).call()
               for slot in role_slots(role, contracts, origin))


def roles_held(address: str, regions: Iterable[str], contracts: ContractSource, origin: str) -> list[Role]:
    """Every role `address` holds, with regulator and verifier roles looked for in `regions`."""
    candidates = [Role("admin"), Role("oracle"), Role("registry")]
    for region in sorted(set(regions)):
        candidates += [Role("regulator", region), Role("verifier", region)]
    return [role for role in candidates if holds_role(role, address, contracts, origin)]


def change_calls(role: Role, address: str, contracts: ContractSource, origin: str, *, grant: bool) -> list[Any]:
    """The contract calls that give `address` the role (`grant`) or take it away. A verifier is accredited and
    withdrawn by a regulator of its region; its recorded attestations stay."""
    if role.name == "verifier":
        assert role.region is not None
        functions = contracts.contract("CarbonAttestations").functions
        change = functions.accreditVerifier if grant else functions.withdrawAccreditation
        return [change(short_code(role.region), address)]
    return [(slot.contract.functions.grantRole if grant else slot.contract.functions.revokeRole)(slot.role_id, address)
            for slot in role_slots(role, contracts, origin)]
