// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICarbonAccounts} from "./interfaces/ICarbonAccounts.sol";
import {ICarbonOffsets} from "./interfaces/ICarbonOffsets.sol";

/**
 * @dev Implementation of {ICarbonOffsets}. Issuing any number of serials costs the same: one batch and one
 * range are stored. The contract needs `OFFSETS_ROLE` in the accounts contract to credit retirements.
 */
contract CarbonOffsets is ICarbonOffsets, AccessControl {
    /// @dev The role of the registry that issues offsets.
    bytes32 public constant REGISTRY_ROLE = keccak256("REGISTRY_ROLE");

    /// @dev One serial stands for one tonne CO2e.
    uint256 public constant GRAMS_PER_SERIAL = 1_000_000;

    ICarbonAccounts private immutable _accounts;

    mapping(uint32 batchId => Batch) private _batches;
    mapping(uint64 rangeStart => SerialRange) private _ranges;
    uint64 private _issuedCount;
    uint32 private _batchCount;

    /// @dev Makes `admin` the holder of `DEFAULT_ADMIN_ROLE`, who grants `REGISTRY_ROLE`.
    constructor(address admin, ICarbonAccounts accounts_) {
        _accounts = accounts_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ICarbonOffsets
    function issueOffsets(
        bytes32 projectId,
        uint16 vintage,
        uint64 count,
        address holder
    ) external onlyRole(REGISTRY_ROLE) returns (uint64 firstSerial, uint64 lastSerial) {
        if (count == 0) revert CarbonOffsetsInvalidCount(count);
        if (holder == address(0)) revert CarbonOffsetsInvalidHolder(holder);

        firstSerial = _issuedCount + 1;
        lastSerial = _issuedCount + count;
        uint32 batchId = ++_batchCount;
        _issuedCount = lastSerial;
        _batches[batchId] = Batch(projectId, vintage);
        _ranges[firstSerial] = SerialRange(holder, lastSerial, batchId);
        emit OffsetsIssued(batchId, projectId, holder, vintage, firstSerial, lastSerial);
    }

    /// @inheritdoc ICarbonOffsets
    function transferOffsets(uint64 rangeStart, uint64 firstSerial, uint64 lastSerial, address to) external {
        if (to == address(0)) revert CarbonOffsetsInvalidHolder(to);
        _carve(rangeStart, firstSerial, lastSerial, to);
        emit OffsetsTransferred(msg.sender, to, firstSerial, lastSerial);
    }

    /// @inheritdoc ICarbonOffsets
    function retireOffsets(
        uint64 rangeStart,
        uint64 firstSerial,
        uint64 lastSerial,
        bytes32 accountId,
        uint16 year
    ) external {
        _carve(rangeStart, firstSerial, lastSerial, address(0));
        uint64 co2eG = SafeCast.toUint64((uint256(lastSerial) - firstSerial + 1) * GRAMS_PER_SERIAL);
        emit OffsetsRetired(accountId, year, msg.sender, firstSerial, lastSerial, co2eG);
        _accounts.creditRetiredOffsets(accountId, year, co2eG);
    }

    /// @inheritdoc ICarbonOffsets
    function serialRange(uint64 rangeStart) external view returns (SerialRange memory found) {
        found = _ranges[rangeStart];
        if (found.lastSerial == 0) revert CarbonOffsetsUnknownRange(rangeStart);
    }

    /// @inheritdoc ICarbonOffsets
    function batch(uint32 batchId) external view returns (Batch memory) {
        return _batches[batchId];
    }

    /// @inheritdoc ICarbonOffsets
    function issuedCount() external view returns (uint64) {
        return _issuedCount;
    }

    /// @inheritdoc ICarbonOffsets
    function batchCount() external view returns (uint32) {
        return _batchCount;
    }

    /// @inheritdoc ICarbonOffsets
    function accounts() external view returns (address) {
        return address(_accounts);
    }

    /**
     * @dev Makes serials `firstSerial..lastSerial` of the caller's range at `rangeStart` a range of their own held
     * by `newHolder` (0 retires them), leaving the serials before and after with the caller as separate ranges.
     */
    function _carve(uint64 rangeStart, uint64 firstSerial, uint64 lastSerial, address newHolder) private {
        SerialRange memory range = _ranges[rangeStart];
        if (range.lastSerial == 0) revert CarbonOffsetsUnknownRange(rangeStart);
        if (range.holder == address(0)) revert CarbonOffsetsRangeRetired(rangeStart, range.lastSerial);
        if (range.holder != msg.sender) revert CarbonOffsetsNotHolder(rangeStart, range.holder, msg.sender);
        if (firstSerial < rangeStart || lastSerial > range.lastSerial || firstSerial > lastSerial) {
            revert CarbonOffsetsSerialsOutsideRange(rangeStart, range.lastSerial, firstSerial, lastSerial);
        }

        if (firstSerial > rangeStart) _ranges[rangeStart].lastSerial = firstSerial - 1;
        if (lastSerial < range.lastSerial) {
            _ranges[lastSerial + 1] = SerialRange(range.holder, range.lastSerial, range.batchId);
        }
        _ranges[firstSerial] = SerialRange(newHolder, lastSerial, range.batchId);
    }
}
