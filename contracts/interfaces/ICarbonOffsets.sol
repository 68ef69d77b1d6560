// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/**
 * @dev Offset credits (CCER-like), one serial per tonne CO2e, issued by a registry in serial ranges with a
 * project id and vintage, transferable, and retired once for an account and year, which credits the account's
 * book in {ICarbonAccounts}.
 *
 * Serials run from 1 upwards in issue order. The contract stores ranges, not serials: an issue stores one range
 * and a transfer or retirement of part of a range splits it into at most three. Each call names the stored range
 * holding the serials by its first serial, `rangeStart`; the events show every range start (each event's
 * `firstSerial` and `lastSerial + 1` start a range). A retired range stays stored with holder 0 and can never be
 * transferred or retired again; a serial never issued lies in no range.
 */
interface ICarbonOffsets is IAccessControl {
    /// @dev The project and vintage (year of the reductions) of the serials issued together.
    struct Batch {
        bytes32 projectId;
        uint16 vintage;
    }

    /// @dev Serials `rangeStart..lastSerial` of batch `batchId`, held by `holder`, or retired if `holder` is 0.
    struct SerialRange {
        address holder;
        uint64 lastSerial;
        uint32 batchId;
    }

    /// @dev An issue must create at least one serial.
    error CarbonOffsetsInvalidCount(uint64 count);

    /// @dev Offsets cannot be issued or transferred to the zero address.
    error CarbonOffsetsInvalidHolder(address holder);

    /// @dev No stored range starts at this serial.
    error CarbonOffsetsUnknownRange(uint64 rangeStart);

    /// @dev The serials are not a non-empty part of the range.
    error CarbonOffsetsSerialsOutsideRange(uint64 rangeStart, uint64 rangeLast, uint64 firstSerial, uint64 lastSerial);

    /// @dev The range has been retired; its serials can never be used again.
    error CarbonOffsetsRangeRetired(uint64 rangeStart, uint64 rangeLast);

    /// @dev Only the holder of a range may transfer or retire its serials.
    error CarbonOffsetsNotHolder(uint64 rangeStart, address holder, address caller);

    /// @dev Emitted when the registry issues serials `firstSerial..lastSerial` as batch `batchId`.
    event OffsetsIssued(
        uint32 indexed batchId,
        bytes32 indexed projectId,
        address indexed holder,
        uint16 vintage,
        uint64 firstSerial,
        uint64 lastSerial
    );

    /// @dev Emitted when serials `firstSerial..lastSerial` pass from `from` to `to`.
    event OffsetsTransferred(address indexed from, address indexed to, uint64 firstSerial, uint64 lastSerial);

    /// @dev Emitted when `holder` retires serials `firstSerial..lastSerial` for `accountId` and `year`.
    event OffsetsRetired(
        bytes32 indexed accountId,
        uint16 indexed year,
        address indexed holder,
        uint64 firstSerial,
        uint64 lastSerial,
        uint64 co2eG
    );

    /**
     * @dev Issues `count` new serials of `projectId` and `vintage` to `holder`, as one batch and one range.
     * Returns the first and last serial.
     *
     * Emits an {OffsetsIssued} event.
     *
     * Requirements:
     *
     * - the caller has `REGISTRY_ROLE`.
     * - `count` is not 0 and `holder` is not the zero address.
     */
    function issueOffsets(
        bytes32 projectId,
        uint16 vintage,
        uint64 count,
        address holder
    ) external returns (uint64 firstSerial, uint64 lastSerial);

    /**
     * @dev Transfers serials `firstSerial..lastSerial`, held in the range starting at `rangeStart`, to `to`.
     *
     * Emits an {OffsetsTransferred} event.
     *
     * Requirements:
     *
     * - a range starts at `rangeStart`, is not retired, is held by the caller and holds all the serials.
     * - `to` is not the zero address.
     */
    function transferOffsets(uint64 rangeStart, uint64 firstSerial, uint64 lastSerial, address to) external;

    /**
     * @dev Retires serials `firstSerial..lastSerial`, held in the range starting at `rangeStart`, for `accountId`
     * and `year`, crediting one tonne (1,000,000 g) CO2e per serial to that year's book.
     *
     * Emits an {OffsetsRetired} event, and the accounts contract's {RetiredOffsetsCredited} event.
     *
     * Requirements:
     *
     * - a range starts at `rangeStart`, is not retired, is held by the caller and holds all the serials.
     * - `accountId` is registered in the accounts contract.
     */
    function retireOffsets(
        uint64 rangeStart,
        uint64 firstSerial,
        uint64 lastSerial,
        bytes32 accountId,
        uint16 year
    ) external;

    /// @dev Returns the range starting at `rangeStart`. Requirements: a range starts there.
    function serialRange(uint64 rangeStart) external view returns (SerialRange memory);

    /// @dev Returns batch `batchId`; batch ids run from 1 to {batchCount}.
    function batch(uint32 batchId) external view returns (Batch memory);

    /// @dev Returns the number of serials issued so far; serials run from 1 to this number.
    function issuedCount() external view returns (uint64);

    /// @dev Returns the number of batches issued so far.
    function batchCount() external view returns (uint32);

    /// @dev Returns the accounts contract that retirements are credited to.
    function accounts() external view returns (address);
}
