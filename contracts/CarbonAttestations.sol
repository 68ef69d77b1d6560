// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {CarbonRoles} from "./CarbonRoles.sol";
import {ICarbonAccounts} from "./interfaces/ICarbonAccounts.sol";
import {ICarbonAttestations} from "./interfaces/ICarbonAttestations.sol";
import {ICarbonLedger} from "./interfaces/ICarbonLedger.sol";

/**
 * @dev Implementation of {ICarbonAttestations}. Regulators are those of the accounts contract; checkpoints are
 * those anchored in the ledger. Unlike a checkpoint, an attestation carries no natural sequence number, so a
 * per-verifier nonce keeps a relayed signature from being recorded twice.
 */
contract CarbonAttestations is ICarbonAttestations, AccessControl, EIP712, Nonces {
    bytes32 private constant ATTESTATION_TYPEHASH =
        keccak256(
            "Attestation(bytes32 accountId,uint16 year,bytes32 logId,uint64 treeSize,uint8 assuranceLevel,"
            "uint16 materialityBps,uint8 opinion,bytes32 reportHash,uint64 supersedes,uint256 nonce)"
        );

    uint16 private constant BASIS_POINTS = 10_000;

    ICarbonLedger private immutable _ledger;
    ICarbonAccounts private immutable _accounts;

    mapping(uint64 attestationId => AttestationRecord) private _attestations;
    uint64 private _attestationCount;

    /// @dev Makes `admin` the holder of `DEFAULT_ADMIN_ROLE`; reads checkpoints and accounts from the others.
    constructor(address admin, ICarbonLedger ledger_, ICarbonAccounts accounts_) EIP712("CarbonLedger", "1") {
        _ledger = ledger_;
        _accounts = accounts_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ICarbonAttestations
    function accreditVerifier(bytes8 region, address verifier) external {
        _checkRegulator(region);
        _grantRole(CarbonRoles.verifier(region), verifier);
    }

    /// @inheritdoc ICarbonAttestations
    function withdrawAccreditation(bytes8 region, address verifier) external {
        _checkRegulator(region);
        _revokeRole(CarbonRoles.verifier(region), verifier);
    }

    /// @inheritdoc ICarbonAttestations
    function attest(Attestation calldata statement, bytes calldata signature) external returns (uint64 attestationId) {
        address verifier = ECDSA.recoverCalldata(attestationDigest(statement), signature);
        _checkRole(CarbonRoles.verifier(_accounts.account(statement.accountId).region), verifier);
        _useCheckedNonce(verifier, statement.nonce);
        if (statement.materialityBps > BASIS_POINTS) {
            revert CarbonAttestationsInvalidMateriality(statement.materialityBps);
        }
        // Called for its check, not its value: it reverts with the ledger's CarbonLedgerCheckpointNotAnchored
        // unless the checkpoint is anchored.
        // slither-disable-next-line unused-return
        _ledger.rootAt(statement.logId, statement.treeSize);
        if (statement.supersedes != 0) _checkSupersedable(statement);

        attestationId = ++_attestationCount;
        AttestationRecord storage record = _attestations[attestationId];
        record.accountId = statement.accountId;
        record.logId = statement.logId;
        record.reportHash = statement.reportHash;
        record.verifier = verifier;
        record.treeSize = statement.treeSize;
        record.year = statement.year;
        record.materialityBps = statement.materialityBps;
        record.assuranceLevel = statement.assuranceLevel;
        record.opinion = statement.opinion;
        record.supersedes = statement.supersedes;
        if (statement.supersedes != 0) _attestations[statement.supersedes].supersededBy = attestationId;
        emit AttestationRecorded(attestationId, statement.accountId, verifier, statement);
    }

    /// @inheritdoc ICarbonAttestations
    function attestation(uint64 attestationId) public view returns (AttestationRecord memory found) {
        found = _attestations[attestationId];
        if (found.verifier == address(0)) revert CarbonAttestationsUnknownAttestation(attestationId);
    }

    /// @inheritdoc ICarbonAttestations
    function attestationCount() external view returns (uint64) {
        return _attestationCount;
    }

    /// @inheritdoc ICarbonAttestations
    function attestationDigest(Attestation calldata statement) public view returns (bytes32) {
        // Every member is a static type in one 32-byte word, so the ABI encoding is EIP-712's encodeData.
        return _hashTypedDataV4(keccak256(abi.encode(ATTESTATION_TYPEHASH, statement)));
    }

    /// @inheritdoc ICarbonAttestations
    function nonces(address verifier) public view override(ICarbonAttestations, Nonces) returns (uint256) {
        return super.nonces(verifier);
    }

    /// @inheritdoc ICarbonAttestations
    function verifierRole(bytes8 region) external pure returns (bytes32) {
        return CarbonRoles.verifier(region);
    }

    function _checkRegulator(bytes8 region) private view {
        bytes32 regulator = CarbonRoles.regulator(region);
        if (!_accounts.hasRole(regulator, msg.sender)) revert AccessControlUnauthorizedAccount(msg.sender, regulator);
    }

    function _checkSupersedable(Attestation calldata statement) private view {
        AttestationRecord memory earlier = attestation(statement.supersedes);
        if (earlier.accountId != statement.accountId || earlier.year != statement.year) {
            revert CarbonAttestationsInventoryMismatch(statement.supersedes, statement.accountId, statement.year);
        }
        if (earlier.supersededBy != 0) {
            revert CarbonAttestationsAlreadySuperseded(statement.supersedes, earlier.supersededBy);
        }
    }
}
