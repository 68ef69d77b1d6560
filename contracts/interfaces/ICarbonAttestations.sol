// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/**
 * @dev Verification statements (ISO 14064-3) on chain: a verifier accredited in a region by one of its
 * regulators attests an account's inventory for a year as of an anchored log checkpoint. Attestations are
 * EIP-712 signed, so anyone may relay them, and never erased: a later attestation may supersede an earlier one
 * of the same inventory, which stays readable and is marked with its successor.
 */
interface ICarbonAttestations is IAccessControl {
    enum AssuranceLevel {
        Limited,
        Reasonable
    }

    enum Opinion {
        Unqualified,
        Qualified,
        Adverse
    }

    /**
     * @dev What a verifier signs. The EIP-712 type is `Attestation(bytes32 accountId,uint16 year,bytes32 logId,
     * uint64 treeSize,uint8 assuranceLevel,uint16 materialityBps,uint8 opinion,bytes32 reportHash,
     * uint64 supersedes,uint256 nonce)` (no spaces) in the domain {name: "CarbonLedger", version: "1", chainId,
     * verifyingContract}. `supersedes` is the id of the attestation replaced, or 0; `nonce` is the verifier's
     * next nonce ({nonces}), which makes every signature usable once.
     */
    struct Attestation {
        bytes32 accountId;
        uint16 year;
        bytes32 logId;
        uint64 treeSize;
        AssuranceLevel assuranceLevel;
        uint16 materialityBps;
        Opinion opinion;
        bytes32 reportHash;
        uint64 supersedes;
        uint256 nonce;
    }

    /// @dev A recorded attestation: the signed statement without its nonce, its verifier and its successor.
    struct AttestationRecord {
        bytes32 accountId;
        bytes32 logId;
        bytes32 reportHash;
        address verifier;
        uint64 treeSize;
        uint16 year;
        uint16 materialityBps;
        AssuranceLevel assuranceLevel;
        Opinion opinion;
        uint64 supersedes;
        uint64 supersededBy;
    }

    /// @dev Materiality is a share of the inventory, so at most 10000 basis points.
    error CarbonAttestationsInvalidMateriality(uint16 materialityBps);

    /// @dev No attestation with this id exists.
    error CarbonAttestationsUnknownAttestation(uint64 attestationId);

    /// @dev An attestation can only supersede one of the same account and year.
    error CarbonAttestationsInventoryMismatch(uint64 supersedes, bytes32 accountId, uint16 year);

    /// @dev The attestation has been superseded already; supersede its successor instead.
    error CarbonAttestationsAlreadySuperseded(uint64 attestationId, uint64 supersededBy);

    /// @dev Emitted when `verifier`'s attestation is recorded as `attestationId`.
    event AttestationRecorded(
        uint64 indexed attestationId,
        bytes32 indexed accountId,
        address indexed verifier,
        Attestation attestation
    );

    /**
     * @dev Accredits `verifier` in `region` (grants `verifierRole(region)`).
     *
     * Emits a {RoleGranted} event.
     *
     * Requirements:
     *
     * - the caller has `regulatorRole(region)` in the accounts contract.
     */
    function accreditVerifier(bytes8 region, address verifier) external;

    /**
     * @dev Withdraws the accreditation of `verifier` in `region`; its recorded attestations stay.
     *
     * Emits a {RoleRevoked} event.
     *
     * Requirements:
     *
     * - the caller has `regulatorRole(region)` in the accounts contract.
     */
    function withdrawAccreditation(bytes8 region, address verifier) external;

    /**
     * @dev Records `statement`, signed by a verifier, and returns its id.
     *
     * Emits an {AttestationRecorded} event.
     *
     * Requirements:
     *
     * - `signature` is an EIP-712 signature of `statement` by an account with `verifierRole` of the account's
     *   region, and `statement.nonce` is that verifier's next nonce.
     * - the account is registered and the checkpoint `logId`/`treeSize` is anchored in the ledger.
     * - `materialityBps` is at most 10000.
     * - `supersedes` is 0 or the id of an attestation of the same account and year not superseded yet.
     */
    function attest(Attestation calldata statement, bytes calldata signature) external returns (uint64);

    /// @dev Returns attestation `attestationId`. Requirements: it exists.
    function attestation(uint64 attestationId) external view returns (AttestationRecord memory);

    /// @dev Returns the number of attestations so far; attestation ids run from 1 to this number.
    function attestationCount() external view returns (uint64);

    /// @dev Returns the EIP-712 digest a verifier signs for `statement`.
    function attestationDigest(Attestation calldata statement) external view returns (bytes32);

    /// @dev Returns the next nonce `verifier` must sign.
    function nonces(address verifier) external view returns (uint256);

    /// @dev Returns the role whose holders are the verifiers accredited in `region`.
    function verifierRole(bytes8 region) external pure returns (bytes32);
}
