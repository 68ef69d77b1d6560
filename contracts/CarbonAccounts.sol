// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {CarbonRoles} from "./CarbonRoles.sol";
import {ICarbonAccounts} from "./interfaces/ICarbonAccounts.sol";
import {ICarbonLedger} from "./interfaces/ICarbonLedger.sol";

/**
 * @dev Implementation of {ICarbonAccounts}.
 *
 * Oracle roles and anchored checkpoints are read from the immutable ledger, so a log's oracle set is managed
 * in one place. A year book fits one storage slot, so a posting rewrites one slot besides storing the posting.
 */
contract CarbonAccounts is ICarbonAccounts, AccessControl {
    /// @dev The role of the offsets contract, the only caller that may credit retired offsets.
    bytes32 public constant OFFSETS_ROLE = keccak256("OFFSETS_ROLE");

    uint256 private constant MAX_WARNING_THRESHOLDS = 8;
    uint16 private constant BASIS_POINTS = 10_000;

    ICarbonLedger private immutable _ledger;

    mapping(bytes32 accountId => Account) private _accounts;
    mapping(bytes32 accountId => mapping(uint16 year => YearBook)) private _yearBooks;
    mapping(uint64 postingId => Posting) private _postings;
    mapping(uint64 postingId => uint64 correctionId) private _correctedBy;
    uint64 private _postingCount;
    uint16[] private _warningThresholdsBps;

    /**
     * @dev Makes `admin` the holder of `DEFAULT_ADMIN_ROLE` (who appoints regulators and sets warning thresholds)
     * and reads oracle roles and checkpoints from `ledger_`. The warning thresholds start at 20%, 10% and 0%.
     */
    constructor(address admin, ICarbonLedger ledger_) {
        _ledger = ledger_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        uint16[] memory defaultThresholdsBps = new uint16[](3);
        defaultThresholdsBps[0] = 2_000;
        defaultThresholdsBps[1] = 1_000;
        defaultThresholdsBps[2] = 0;
        _setWarningThresholds(defaultThresholdsBps);
    }

    /// @inheritdoc ICarbonAccounts
    function registerAccount(
        bytes32 accountId,
        address owner,
        AccountLevel level,
        bytes8 region,
        bytes8 industry,
        bytes32 parentId
    ) external onlyRole(CarbonRoles.regulator(region)) {
        if (_accounts[accountId].owner != address(0)) revert CarbonAccountsAccountExists(accountId);
        if (owner == address(0)) revert CarbonAccountsInvalidOwner(owner);
        if (level == AccountLevel.Region ? parentId != bytes32(0) : !_isValidParent(parentId, level, region)) {
            revert CarbonAccountsInvalidParent(accountId, parentId);
        }

        _accounts[accountId] = Account(owner, level, region, industry, parentId);
        emit AccountRegistered(accountId, region, parentId, owner, level, industry);
    }

    /// @inheritdoc ICarbonAccounts
    function setAllowance(bytes32 accountId, uint16 year, uint64 allowanceG) external {
        _checkRole(CarbonRoles.regulator(_existingAccount(accountId).region));

        YearBook memory before = _yearBooks[accountId][year];
        YearBook memory book = YearBook(allowanceG, before.emissionsG, before.retiredOffsetsG);
        _yearBooks[accountId][year] = book;
        emit AllowanceSet(accountId, year, before.allowanceG, allowanceG);
        _emitWarnings(accountId, year, before, book);
    }

    /// @inheritdoc ICarbonAccounts
    function postEmissions(
        bytes32 accountId,
        uint16 year,
        uint64 co2eG,
        bytes32 logId,
        uint64 treeSize
    ) external returns (uint64) {
        _existingAccount(accountId);
        return _post(Posting(accountId, logId, treeSize, co2eG, 0, year), 0);
    }

    /// @inheritdoc ICarbonAccounts
    function correctEmissions(
        uint64 correctedId,
        uint64 co2eG,
        bytes32 logId,
        uint64 treeSize
    ) external returns (uint64) {
        Posting memory corrected = posting(correctedId);
        uint64 correction = _correctedBy[correctedId];
        if (correction != 0) revert CarbonAccountsPostingAlreadyCorrected(correctedId, correction);
        return _post(Posting(corrected.accountId, logId, treeSize, co2eG, correctedId, corrected.year), corrected.co2eG);
    }

    /// @inheritdoc ICarbonAccounts
    function creditRetiredOffsets(bytes32 accountId, uint16 year, uint64 co2eG) external onlyRole(OFFSETS_ROLE) {
        _existingAccount(accountId);

        YearBook memory before = _yearBooks[accountId][year];
        YearBook memory book = YearBook(before.allowanceG, before.emissionsG, before.retiredOffsetsG + co2eG);
        _yearBooks[accountId][year] = book;
        emit RetiredOffsetsCredited(accountId, year, co2eG);
        _emitWarnings(accountId, year, before, book);
    }

    /// @inheritdoc ICarbonAccounts
    function setWarningThresholds(uint16[] calldata thresholdsBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setWarningThresholds(thresholdsBps);
    }

    /// @inheritdoc ICarbonAccounts
    function account(bytes32 accountId) external view returns (Account memory) {
        return _existingAccount(accountId);
    }

    /// @inheritdoc ICarbonAccounts
    function yearBook(bytes32 accountId, uint16 year) external view returns (YearBook memory) {
        return _yearBooks[accountId][year];
    }

    /// @inheritdoc ICarbonAccounts
    function balance(bytes32 accountId, uint16 year) external view returns (int256) {
        return _balanceOf(_yearBooks[accountId][year]);
    }

    /// @inheritdoc ICarbonAccounts
    function posting(uint64 postingId) public view returns (Posting memory found) {
        found = _postings[postingId];
        if (found.accountId == bytes32(0)) revert CarbonAccountsUnknownPosting(postingId);
    }

    /// @inheritdoc ICarbonAccounts
    function correctedBy(uint64 postingId) external view returns (uint64) {
        return _correctedBy[postingId];
    }

    /// @inheritdoc ICarbonAccounts
    function postingCount() external view returns (uint64) {
        return _postingCount;
    }

    /// @inheritdoc ICarbonAccounts
    function warningThresholds() external view returns (uint16[] memory) {
        return _warningThresholdsBps;
    }

    /// @inheritdoc ICarbonAccounts
    function ledger() external view returns (address) {
        return address(_ledger);
    }

    /// @inheritdoc ICarbonAccounts
    function regulatorRole(bytes8 region) external pure returns (bytes32) {
        return CarbonRoles.regulator(region);
    }

    /**
     * @dev Stores `newPosting` (which replaces `replacedG` grams of an earlier posting, 0 for a first posting) and
     * books the difference on its account and year.
     */
    function _post(Posting memory newPosting, uint64 replacedG) private returns (uint64 postingId) {
        if (!_ledger.hasRole(CarbonRoles.oracle(newPosting.logId), msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, CarbonRoles.oracle(newPosting.logId));
        }
        // Called for its check, not its value: it reverts with the ledger's CarbonLedgerCheckpointNotAnchored
        // unless the checkpoint is anchored.
        // slither-disable-next-line unused-return
        _ledger.rootAt(newPosting.logId, newPosting.treeSize);

        postingId = ++_postingCount;
        _postings[postingId] = newPosting;
        if (newPosting.corrects != 0) _correctedBy[newPosting.corrects] = postingId;
        YearBook memory before = _yearBooks[newPosting.accountId][newPosting.year];
        YearBook memory book = YearBook(
            before.allowanceG,
            before.emissionsG - replacedG + newPosting.co2eG,
            before.retiredOffsetsG
        );
        _yearBooks[newPosting.accountId][newPosting.year] = book;
        emit EmissionsPosted(
            postingId,
            newPosting.accountId,
            newPosting.year,
            newPosting.co2eG,
            newPosting.corrects,
            newPosting.logId,
            newPosting.treeSize
        );
        _emitWarnings(newPosting.accountId, newPosting.year, before, book);
    }

    function _setWarningThresholds(uint16[] memory thresholdsBps) private {
        if (thresholdsBps.length > MAX_WARNING_THRESHOLDS) {
            revert CarbonAccountsInvalidWarningThreshold(MAX_WARNING_THRESHOLDS, thresholdsBps[MAX_WARNING_THRESHOLDS]);
        }
        for (uint256 i = 0; i < thresholdsBps.length; ++i) {
            if (thresholdsBps[i] > BASIS_POINTS || (i > 0 && thresholdsBps[i] >= thresholdsBps[i - 1])) {
                revert CarbonAccountsInvalidWarningThreshold(i, thresholdsBps[i]);
            }
        }
        _warningThresholdsBps = thresholdsBps;
        emit WarningThresholdsSet(thresholdsBps);
    }

    /// @dev Emits the warnings that the change of a year book from `before` to `book` causes.
    function _emitWarnings(bytes32 accountId, uint16 year, YearBook memory before, YearBook memory book) private {
        uint16[] memory thresholdsBps = _warningThresholdsBps;
        int256 balanceBefore = _balanceOf(before);
        int256 balanceG = _balanceOf(book);
        uint256 crossedBefore = _thresholdsCrossed(balanceBefore, before.allowanceG, thresholdsBps);
        uint256 crossed = _thresholdsCrossed(balanceG, book.allowanceG, thresholdsBps);

        for (uint256 i = crossedBefore; i < crossed; ++i) {
            emit BalanceThresholdCrossed(accountId, year, thresholdsBps[i], balanceG);
        }
        if (balanceG < 0 && balanceBefore >= 0) {
            emit BalanceWentNegative(accountId, year, balanceG);
        }
        if (crossed < crossedBefore || (balanceG >= 0 && balanceBefore < 0)) {
            emit BalanceWarningsCleared(accountId, year, crossed, balanceG);
        }
    }

    /// @dev A storage pointer, so callers load only the fields they read.
    function _existingAccount(bytes32 accountId) private view returns (Account storage found) {
        found = _accounts[accountId];
        if (found.owner == address(0)) revert CarbonAccountsUnknownAccount(accountId);
    }

    function _isValidParent(bytes32 parentId, AccountLevel level, bytes8 region) private view returns (bool) {
        Account storage parent = _accounts[parentId];
        return parent.owner != address(0) && parent.region == region && parent.level < level;
    }

    function _balanceOf(YearBook memory book) private pure returns (int256) {
        return int256(uint256(book.allowanceG)) - int256(uint256(book.emissionsG)) + int256(uint256(book.retiredOffsetsG));
    }

    /**
     * @dev The number of thresholds (highest first) at or above the balance's share of the allowance. Because the
     * thresholds decrease, the crossed ones are a prefix of the list. None apply while the allowance is 0.
     */
    function _thresholdsCrossed(
        int256 balanceG,
        uint64 allowanceG,
        uint16[] memory thresholdsBps
    ) private pure returns (uint256 crossed) {
        if (allowanceG == 0) return 0;
        int256 allowance = int256(uint256(allowanceG));
        while (
            crossed < thresholdsBps.length &&
            balanceG * int256(uint256(BASIS_POINTS)) <= allowance * int256(uint256(thresholdsBps[crossed]))
        ) {
            ++crossed;
        }
    }
}
