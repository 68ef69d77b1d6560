// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/**
 * @dev Carbon bank accounts: per account and year, an allowance set by a regulator, emissions posted by log
 * oracles against anchored checkpoints, and retired offsets credited by the offsets contract. The balance is
 * allowance - emissions + retired offsets, in grams CO2e. Each change of a book compares the balance before and
 * after against the warning thresholds (basis points of the allowance; none apply while the allowance is 0) and
 * against zero, and emits an event for every threshold crossed downwards, for going negative, and for recovering.
 *
 * Accounts form a hierarchy region -> park/group -> enterprise -> facility, each registered by a regulator of
 * its region (`regulatorRole(region)`). Region and industry codes are ASCII, left-aligned in bytes8 and padded
 * with zero bytes (e.g. "330800", "C2611").
 *
 * Postings are append-only: a correction is a new posting that names the one it corrects and carries the
 * corrected figure; the corrected posting stays readable, marked with the id of its correction.
 */
interface ICarbonAccounts is IAccessControl {
    /// @dev The levels of the account hierarchy; a parent is always on a higher level than its children.
    enum AccountLevel {
        Region,
        Park,
        Enterprise,
        Facility
    }

    struct Account {
        address owner;
        AccountLevel level;
        bytes8 region;
        bytes8 industry;
        bytes32 parentId;
    }

    /// @dev An account's carbon book for one year: its balance is allowanceG - emissionsG + retiredOffsetsG.
    struct YearBook {
        uint64 allowanceG;
        uint64 emissionsG;
        uint64 retiredOffsetsG;
    }

    /// @dev One emissions posting; `corrects` is the id of the posting it corrects, or 0.
    struct Posting {
        bytes32 accountId;
        bytes32 logId;
        uint64 treeSize;
        uint64 co2eG;
        uint64 corrects;
        uint16 year;
    }

    /// @dev An account with this id is already registered.
    error CarbonAccountsAccountExists(bytes32 accountId);

    /// @dev No account with this id is registered.
    error CarbonAccountsUnknownAccount(bytes32 accountId);

    /// @dev An account cannot be owned by the zero address.
    error CarbonAccountsInvalidOwner(address owner);

    /**
     * @dev The parent does not fit: a region account has no parent, any other account needs a registered parent
     * in the same region on a higher level.
     */
    error CarbonAccountsInvalidParent(bytes32 accountId, bytes32 parentId);

    /// @dev No posting with this id exists.
    error CarbonAccountsUnknownPosting(uint64 postingId);

    /// @dev The posting has already been corrected; correct its latest correction instead.
    error CarbonAccountsPostingAlreadyCorrected(uint64 postingId, uint64 correctedBy);

    /// @dev Warning thresholds must be at most 10000 basis points, strictly decreasing, and at most 8 of them.
    error CarbonAccountsInvalidWarningThreshold(uint256 index, uint16 thresholdBps);

    /// @dev Emitted when a regulator registers account `accountId`.
    event AccountRegistered(
        bytes32 indexed accountId,
        bytes8 indexed region,
        bytes32 indexed parentId,
        address owner,
        AccountLevel level,
        bytes8 industry
    );

    /// @dev Emitted when a regulator sets the allowance of `accountId` for `year`.
    event AllowanceSet(bytes32 indexed accountId, uint16 indexed year, uint64 previousAllowanceG, uint64 allowanceG);

    /// @dev Emitted when an oracle posts emissions, or a correction (`corrects` != 0) of an earlier posting.
    event EmissionsPosted(
        uint64 indexed postingId,
        bytes32 indexed accountId,
        uint16 indexed year,
        uint64 co2eG,
        uint64 corrects,
        bytes32 logId,
        uint64 treeSize
    );

    /// @dev Emitted when retired offsets are credited to `accountId` for `year`.
    event RetiredOffsetsCredited(bytes32 indexed accountId, uint16 indexed year, uint64 co2eG);

    /// @dev Emitted when the balance falls to or below `thresholdBps` of the allowance (one event per threshold).
    event BalanceThresholdCrossed(bytes32 indexed accountId, uint16 indexed year, uint16 thresholdBps, int256 balanceG);

    /// @dev Emitted when the balance becomes negative.
    event BalanceWentNegative(bytes32 indexed accountId, uint16 indexed year, int256 balanceG);

    /**
     * @dev Emitted when the balance rises back above thresholds it had crossed, or back to zero or more;
     * `thresholdsCrossed` is the number of thresholds still crossed.
     */
    event BalanceWarningsCleared(
        bytes32 indexed accountId,
        uint16 indexed year,
        uint256 thresholdsCrossed,
        int256 balanceG
    );

    /// @dev Emitted when the admin replaces the warning thresholds.
    event WarningThresholdsSet(uint16[] thresholdsBps);

    /**
     * @dev Registers account `accountId`.
     *
     * Emits an {AccountRegistered} event.
     *
     * Requirements:
     *
     * - the caller has `regulatorRole(region)`.
     * - `accountId` is not registered and `owner` is not the zero address.
     * - a `Region` account has parent 0; any other account has a registered parent in `region` on a higher level.
     */
    function registerAccount(
        bytes32 accountId,
        address owner,
        AccountLevel level,
        bytes8 region,
        bytes8 industry,
        bytes32 parentId
    ) external;

    /**
     * @dev Sets the allowance (plan or quota) of `accountId` for `year`.
     *
     * Emits an {AllowanceSet} event, and warning events if the balance crosses thresholds.
     *
     * Requirements:
     *
     * - `accountId` is registered and the caller has `regulatorRole` of its region.
     */
    function setAllowance(bytes32 accountId, uint16 year, uint64 allowanceG) external;

    /**
     * @dev Posts `co2eG` grams CO2e of emissions of `accountId` in `year`, backed by the records of log
     * `logId` up to the anchored tree size `treeSize`. Returns the new posting's id.
     *
     * Emits an {EmissionsPosted} event, and warning events if the balance crosses thresholds.
     *
     * Requirements:
     *
     * - the caller holds `oracleRole(logId)` in the ledger and `treeSize` is anchored there for `logId`.
     * - `accountId` is registered.
     */
    function postEmissions(
        bytes32 accountId,
        uint16 year,
        uint64 co2eG,
        bytes32 logId,
        uint64 treeSize
    ) external returns (uint64 postingId);

    /**
     * @dev Posts a correction of posting `correctedId`: the emissions it stood for become `co2eG`, for the same
     * account and year. Returns the correction's posting id.
     *
     * Emits an {EmissionsPosted} event, and warning events if the balance crosses thresholds.
     *
     * Requirements:
     *
     * - posting `correctedId` exists and has not been corrected yet.
     * - the caller holds `oracleRole(logId)` in the ledger and `treeSize` is anchored there for `logId`.
     */
    function correctEmissions(
        uint64 correctedId,
        uint64 co2eG,
        bytes32 logId,
        uint64 treeSize
    ) external returns (uint64 postingId);

    /**
     * @dev Credits `co2eG` grams CO2e of retired offsets to `accountId` for `year`.
     *
     * Emits a {RetiredOffsetsCredited} event, and warning events if the balance crosses thresholds.
     *
     * Requirements:
     *
     * - the caller has `OFFSETS_ROLE` (held by the offsets contract).
     * - `accountId` is registered.
     */
    function creditRetiredOffsets(bytes32 accountId, uint16 year, uint64 co2eG) external;

    /**
     * @dev Replaces the warning thresholds, in basis points of the allowance, e.g. [2000, 1000, 0]. A threshold
     * `t` is crossed when the allowance is not 0 and balance * 10000 <= allowance * t. The new thresholds apply
     * from the next change of each book on.
     *
     * Emits a {WarningThresholdsSet} event.
     *
     * Requirements:
     *
     * - the caller has `DEFAULT_ADMIN_ROLE`.
     * - at most 8 thresholds, strictly decreasing, each at most 10000.
     */
    function setWarningThresholds(uint16[] calldata thresholdsBps) external;

    /// @dev Returns account `accountId`. Requirements: it is registered.
    function account(bytes32 accountId) external view returns (Account memory);

    /// @dev Returns the year book of `accountId` for `year` (all zero if nothing was ever booked).
    function yearBook(bytes32 accountId, uint16 year) external view returns (YearBook memory);

    /// @dev Returns allowance - emissions + retired offsets of `accountId` for `year`, in grams CO2e.
    function balance(bytes32 accountId, uint16 year) external view returns (int256 balanceG);

    /// @dev Returns posting `postingId`. Requirements: it exists.
    function posting(uint64 postingId) external view returns (Posting memory);

    /// @dev Returns the id of the posting that corrects `postingId`, or 0 if it stands.
    function correctedBy(uint64 postingId) external view returns (uint64);

    /// @dev Returns the number of postings so far; posting ids run from 1 to this number.
    function postingCount() external view returns (uint64);

    /// @dev Returns the warning thresholds in basis points, highest first.
    function warningThresholds() external view returns (uint16[] memory);

    /// @dev Returns the ledger whose anchored checkpoints back the postings.
    function ledger() external view returns (address);

    /// @dev Returns the role whose holders regulate `region`.
    function regulatorRole(bytes8 region) external pure returns (bytes32);
}
