// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

/**
 * @dev The scoped AccessControl roles of carbon-ledger, derived in one place so every contract agrees on them.
 *
 * An oracle role belongs to one log and a regulator or verifier role to one region: the role id is the hash of
 * the role's name and its scope, so granting the oracle role of one log grants nothing on another.
 */
library CarbonRoles {
    bytes32 internal constant ORACLE = keccak256("ORACLE_ROLE");
    bytes32 internal constant REGULATOR = keccak256("REGULATOR_ROLE");
    bytes32 internal constant VERIFIER = keccak256("VERIFIER_ROLE");

    /// @dev The role of the oracles that sign checkpoints of, and post emissions from, the log `logId`.
    function oracle(bytes32 logId) internal pure returns (bytes32) {
        return keccak256(abi.encode(ORACLE, logId));
    }

    /// @dev The role of the regulators of `region`: they register its accounts, set allowances, accredit verifiers.
    function regulator(bytes8 region) internal pure returns (bytes32) {
        return keccak256(abi.encode(REGULATOR, region));
    }

    /// @dev The role of the verifiers accredited in `region`: they attest the inventories of its accounts.
    function verifier(bytes8 region) internal pure returns (bytes32) {
        return keccak256(abi.encode(VERIFIER, region));
    }
}
