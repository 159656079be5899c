// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {ICommissaryAuction} from "./interfaces/ICommissaryAuction.sol";

/// @title CommissaryAuction
/// @author Ampled music co-op
/// @notice Escrow English auctions for the Ampled co-op, paid in one ERC-20. See {ICommissaryAuction}.
///
/// @dev Gas design (bids are paid by members, creation by the co-op); see README.md for figures.
///  - An auction is exactly two storage slots at `_AUCTIONS_BASE + 2 * id` (array-style, no keccak per
///    access; layout below). Slot 1 (highestBidder | highestBid) is written non-zero already by
///    {createAuction}: before the first bid it holds (address(0), reservePrice), so the first bid
///    updates a non-zero slot (2,900 gas) instead of initialising it (20,000 gas). {getAuction} reports
///    highestBid = 0 while highestBidder is zero. Ids are sequential from 1 and only ids below 2**64
///    (`_ID_BITS`) are ever valid: `2 * id` wraps at 2**256, so without that bound `id + 2**255` would
///    read and write auction `id`'s slots. Every entry point checks the bound with a shift or mask on
///    the id it already holds (no read of the counter); below it, an id that was never created reads
///    an empty slot (status None) and is rejected or skipped like any unknown id.
///  - Treasury, pause flag and auction counter share one slot (`_config`).
///  - The bid and settlement paths are hand-written assembly: no ABI encoder, scratch memory only,
///    returndata copied at most 32 bytes, custom errors decoded in a cold Solidity path.
///  - Escrow counts only what arrived: every pull compares the escrow's token balance before and after
///    the transfer (two STATICCALLs, ~1.2k gas with an OpenZeppelin token; the first one pays the cold
///    account and balance-slot access that the transfer would otherwise pay). A running "expected
///    balance" in storage would cost an extra SSTORE (>= 2.9k) per bid instead.
///  - Refunds to the outbid bidder are a low-level `transfer` with a gas cap and bounded returndata;
///    any failure (revert, `false`, malformed returndata, out of gas) credits the amount for
///    {withdraw}, so a refund can never block a new bid.
///  - State is written before any token call (checks-effects-interactions). A transient lock around
///    each bid's pull stops a token with transfer hooks from nesting another bid inside the pull,
///    which could otherwise hide a short delivery from the balance check. Settlement and withdrawal
///    only pay out after their state change, so they need no lock.
contract CommissaryAuction is ICommissaryAuction, AccessControl, EIP712, Nonces {
    // ---------------------------------------------------------------------------------------------
    // Constants and immutables
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    bytes32 public constant LISTER_ROLE = keccak256("LISTER_ROLE");

    /// @inheritdoc ICommissaryAuction
    bytes32 public constant BID_TYPEHASH =
        keccak256("Bid(address bidder,uint256 auctionId,uint96 amount,uint256 nonce,uint256 deadline)");

    /// @inheritdoc ICommissaryAuction
    bytes32 public constant MAX_BID_TYPEHASH =
        keccak256("MaxBid(address bidder,uint256 auctionId,uint96 maxAmount,uint256 salt,uint256 deadline)");

    /// @inheritdoc ICommissaryAuction
    bytes32 public constant MAX_BID_REVOCATION_TYPEHASH =
        keccak256("MaxBidRevocation(address bidder,bytes32 maxBidHash)");

    /// @inheritdoc ICommissaryAuction
    uint256 public constant REFUND_GAS_LIMIT = 100_000;

    /// @notice Longest allowed anti-sniping window (1 day).
    uint32 public constant MAX_EXTENSION_WINDOW = 1 days;

    /// @notice Latest end an auction can have: `type(uint40).max`. {createAuction} refuses an end whose
    ///         first extension could pass it, and later extensions stop at it (they never wrap).
    uint40 internal constant MAX_END_TIME = type(uint40).max;

    uint256 private constant _BPS = 10_000;

    // Auction storage. Auction `id` lives in slots `_AUCTIONS_BASE + 2 * id` (slot 0) and the next one
    // (slot 1), like the elements of a Solidity storage array (no keccak per access).
    // Slot 0 (low bits first): reservePrice 0..95 | startTime 96..135 | minIncrementBps 136..151 |
    //   extensionWindow 152..183 | endTime 184..223 | status 224..231. Status sits right above endTime so
    //   `slot0 >> 184` is `status << 40 | endTime`, which settlement tests with a single comparison.
    // Slot 1: highestBidder 0..159 | highestBid 160..255.
    /// @dev uint256(keccak256("commissary.auction.auctions")).
    uint256 private constant _AUCTIONS_BASE = 0x6678b79d626ae5b08ea09da7fe35683f152d0abc7bf2a1e313615bead3197932;
    uint256 private constant _START_SHIFT = 96;
    uint256 private constant _BPS_SHIFT = 136;
    uint256 private constant _WINDOW_SHIFT = 152;
    uint256 private constant _END_SHIFT = 184;
    uint256 private constant _STATUS_SHIFT = 224;
    uint256 private constant _BID_SHIFT = 160;
    /// @dev `(slot0 >> _END_SHIFT) - _OPEN_ENDING_AT_0` is endTime for an Open auction and >= 2**40
    ///      (wrapping for status None) otherwise.
    uint256 private constant _OPEN_ENDING_AT_0 = 0x10000000000;
    // `_config` slot: treasury 0..159 | paused 160..167 | auctionCount 168..231.
    uint256 private constant _PAUSED_SHIFT = 160;
    uint256 private constant _COUNT_SHIFT = 168;
    /// @dev 1 << _COUNT_SHIFT: adds one to the counter in `_config`.
    uint256 private constant _ONE_AUCTION = 0x0000000000000000000001000000000000000000000000000000000000000000;

    /// @dev Ids are below 2**_ID_BITS; `id >> _ID_BITS != 0` (or `id & _NOT_ID_MASK != 0`) means unknown.
    uint256 private constant _ID_BITS = 64;
    uint256 private constant _NOT_ID_MASK = 0xffffffffffffffffffffffffffffffffffffffffffffffff0000000000000000;

    uint256 private constant _MASK16 = 0xffff;
    uint256 private constant _MASK32 = 0xffffffff;
    uint256 private constant _MASK40 = 0xffffffffff;
    uint256 private constant _MASK160 = 0x00ffffffffffffffffffffffffffffffffffffffff;
    // ~(_MASK40 << _END_SHIFT) and ~(0xff << _STATUS_SHIFT).
    uint256 private constant _END_CLEAR_MASK = 0xffffffff0000000000ffffffffffffffffffffffffffffffffffffffffffffff;
    uint256 private constant _STATUS_CLEAR_MASK = 0xffffff00ffffffffffffffffffffffffffffffffffffffffffffffffffffffff;

    /// @dev slot0 xor this turns status Open (1) into Settled (2).
    uint256 private constant _OPEN_TO_SETTLED = 0x0000000300000000000000000000000000000000000000000000000000000000;
    // uint8(Status.Open / Cancelled).
    uint256 private constant _OPEN = 1;
    uint256 private constant _CANCELLED = 3;

    // Event topics, as literals for the assembly emitters (tests check every emitted event).
    /// @dev keccak256("AuctionCreated(uint256,bytes32,uint96,uint40,uint40,uint16,uint32)")
    bytes32 private constant _AUCTION_CREATED_SIG = 0x7cf7979bc5d775a76c1f838eec767db673d800e4a8d837fb1f67a3c5514c4409;
    /// @dev keccak256("BidPlaced(uint256,address,uint96,uint40)")
    bytes32 private constant _BID_PLACED_SIG = 0xf59583b784d82ba8a1a931a713014e685b19a80ae90f8bc9b32217ec7f831b85;
    /// @dev keccak256("AuctionSettled(uint256,address,uint96)")
    bytes32 private constant _AUCTION_SETTLED_SIG = 0xb0c0f9c6ca998b255641a11a8757f66809f41c43bb59703b7e3bc099e5655e4b;
    /// @dev keccak256("RefundCredited(address,uint256)")
    bytes32 private constant _REFUND_CREDITED_SIG = 0x57b31d08aad1b08f38687f5d1a07c24f3c09768a493b5b11f4de021a3ac6fbb9;

    // Custom error selectors used from assembly.
    uint256 private constant _TOKEN_TRANSFER_FAILED = 0x045c4b02; // TokenTransferFailed()
    uint256 private constant _INSUFFICIENT_TOKENS_RECEIVED = 0x8989e031; // InsufficientTokensReceived(uint256,uint256)

    // ERC-20 selectors.
    uint256 private constant _BALANCE_OF = 0x70a08231;
    uint256 private constant _TRANSFER = 0xa9059cbb;
    uint256 private constant _TRANSFER_FROM = 0x23b872dd;

    /// @dev Storage slot of `_roles[LISTER_ROLE].hasRole` in OpenZeppelin's AccessControl (`_roles` is
    ///      slot 0): keccak256(abi.encode(LISTER_ROLE, 0)). Checked against {hasRole} by the tests.
    bytes32 private constant _LISTER_ROLE_MEMBERS_SLOT =
        0x8c9316582f0a7d5089f81a074beb8d9c5f5a846953b1a406916a4a62930e9356;

    /// @dev Transient slot of the bid lock: uint256(keccak256("commissary.auction.lock")) - 1.
    uint256 private constant _LOCK_SLOT = 0xb5e34a398198426be67dfad01f7cacdc121a6c0c8d31574e15100a2c6e9548e6;

    address private immutable _TOKEN;

    // ---------------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    mapping(address bidder => uint256) public credits;

    /// @dev One slot: treasury | paused | auctionCount (see the `_config` bit offsets above).
    Config private _config;

    struct Config {
        address treasury;
        bool paused;
        uint64 auctionCount;
    }

    /// @inheritdoc ICommissaryAuction
    /// @dev Keyed by bidder first, so a revocation can only ever void the revoker's own authorizations
    ///      (an authorization is checked against `maxBidRevoked[its bidder][its digest]`). Declared after
    ///      `_config`, so no existing slot moves.
    mapping(address bidder => mapping(bytes32 maxBidHash => bool)) public maxBidRevoked;

    // ---------------------------------------------------------------------------------------------
    // Construction
    // ---------------------------------------------------------------------------------------------

    /// @param token_ ERC-20 bids are paid in (any standard ERC-20; must have code).
    /// @param treasury_ Receiver of settled bids.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (treasury, pause, role management) and LISTER_ROLE.
    constructor(address token_, address treasury_, address admin) EIP712("CommissaryAuction", "1") {
        if (token_.code.length == 0) revert InvalidToken(token_);
        if (treasury_ == address(0) || admin == address(0)) revert ZeroAddress();
        if (treasury_ == address(this)) revert InvalidTreasury(treasury_);
        _TOKEN = token_;
        _config.treasury = treasury_;
        emit TreasuryUpdated(address(0), treasury_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(LISTER_ROLE, admin);
    }

    // ---------------------------------------------------------------------------------------------
    // Listing
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    function createAuction(
        bytes32 listingHash,
        uint96 reservePrice,
        uint40 startTime,
        uint40 endTime,
        uint16 minIncrementBps,
        uint32 extensionWindow
    ) external returns (uint256 auctionId) {
        bool ok;
        assembly ("memory-safe") {
            // hasRole(LISTER_ROLE, msg.sender), read directly (see _LISTER_ROLE_MEMBERS_SLOT).
            mstore(0x00, caller())
            mstore(0x20, _LISTER_ROLE_MEMBERS_SLOT)
            let config := sload(_config.slot)
            ok := and(
                and(
                    and(sload(keccak256(0x00, 0x40)), iszero(and(shr(_PAUSED_SHIFT, config), 0xff))),
                    and(gt(endTime, startTime), gt(endTime, timestamp()))
                ),
                and(
                    and(iszero(iszero(reservePrice)), lt(sub(minIncrementBps, 1), _BPS)),
                    // The window is at most a day and even the first extension stays within uint40.
                    iszero(or(gt(extensionWindow, MAX_EXTENSION_WINDOW), shr(40, add(endTime, extensionWindow))))
                )
            )
            if ok {
                // One read and one write of the treasury | paused | counter slot.
                auctionId := add(shr(_COUNT_SHIFT, config), 1)
                sstore(_config.slot, add(config, _ONE_AUCTION))

                let base := add(_AUCTIONS_BASE, shl(1, auctionId))
                sstore(
                    base,
                    or(
                        or(
                            or(reservePrice, shl(_START_SHIFT, startTime)),
                            or(shl(_END_SHIFT, endTime), shl(_BPS_SHIFT, minIncrementBps))
                        ),
                        or(shl(_WINDOW_SHIFT, extensionWindow), shl(_STATUS_SHIFT, _OPEN))
                    )
                )
                // Slot 1 pre-initialised to (address(0), reservePrice): non-zero, so the first bid only
                // updates it.
                sstore(add(base, 1), shl(_BID_SHIFT, reservePrice))

                let m := mload(0x40)
                mstore(m, reservePrice)
                mstore(add(m, 0x20), startTime)
                mstore(add(m, 0x40), endTime)
                mstore(add(m, 0x60), minIncrementBps)
                mstore(add(m, 0x80), extensionWindow)
                log3(m, 0xa0, _AUCTION_CREATED_SIG, auctionId, listingHash)
            }
        }
        if (!ok) _revertCreate(reservePrice, startTime, endTime, minIncrementBps, extensionWindow);
    }

    /// @inheritdoc ICommissaryAuction
    function cancel(uint256 auctionId) external onlyRole(LISTER_ROLE) {
        if (auctionId >> _ID_BITS != 0) revert AuctionNotFound(auctionId);
        uint256 base = _auctionSlot(auctionId);
        uint256 slot0;
        uint256 slot1;
        assembly ("memory-safe") {
            slot0 := sload(base)
            slot1 := sload(add(base, 1))
        }
        uint256 status = slot0 >> _STATUS_SHIFT;
        if (status != _OPEN) _revertNotOpen(auctionId, status);
        if (slot1 & _MASK160 != 0) revert AuctionHasBids(auctionId);
        assembly ("memory-safe") {
            sstore(base, or(and(slot0, _STATUS_CLEAR_MASK), shl(_STATUS_SHIFT, _CANCELLED)))
            sstore(add(base, 1), 0)
        }
        emit AuctionCancelled(auctionId);
    }

    // ---------------------------------------------------------------------------------------------
    // Bidding
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    function bid(uint256 auctionId, uint96 amount) external {
        _bid(msg.sender, auctionId, amount);
    }

    /// @inheritdoc ICommissaryAuction
    function bidWithPermit(uint256 auctionId, uint96 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external {
        _tryPermit(msg.sender, amount, deadline, v, r, s);
        _bid(msg.sender, auctionId, amount);
    }

    /// @inheritdoc ICommissaryAuction
    function bidBySig(Bid calldata signedBid, bytes calldata signature) external {
        _verifyBid(signedBid, signature);
        _bid(signedBid.bidder, signedBid.auctionId, signedBid.amount);
    }

    /// @inheritdoc ICommissaryAuction
    function bidBySigWithPermit(Bid calldata signedBid, bytes calldata signature, Permit calldata permit) external {
        _verifyBid(signedBid, signature);
        _tryPermit(signedBid.bidder, permit.value, permit.deadline, permit.v, permit.r, permit.s);
        _bid(signedBid.bidder, signedBid.auctionId, signedBid.amount);
    }

    // ---------------------------------------------------------------------------------------------
    // Maximum bids
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    function bidByMaxBid(MaxBid calldata maxBid, bytes calldata signature) external {
        bytes32 maxBidHash = _verifyMaxBid(maxBid, signature);
        _bid(maxBid.bidder, maxBid.auctionId, _minimumUnder(maxBid, maxBidHash));
    }

    /// @inheritdoc ICommissaryAuction
    function bidByMaxBidWithPermit(MaxBid calldata maxBid, bytes calldata signature, Permit calldata permit) external {
        bytes32 maxBidHash = _verifyMaxBid(maxBid, signature);
        uint256 amount = _minimumUnder(maxBid, maxBidHash);
        _tryPermit(maxBid.bidder, permit.value, permit.deadline, permit.v, permit.r, permit.s);
        _bid(maxBid.bidder, maxBid.auctionId, amount);
    }

    /// @inheritdoc ICommissaryAuction
    function resolveMaxBids(
        MaxBid calldata first,
        bytes calldata firstSignature,
        MaxBid calldata second,
        bytes calldata secondSignature
    ) external {
        uint256 auctionId = first.auctionId;
        if (second.auctionId != auctionId) revert AuctionMismatch(auctionId, second.auctionId);
        if (first.bidder == second.bidder) revert SameBidder(first.bidder);
        bytes32 firstHash = _verifyMaxBid(first, firstSignature);
        bytes32 secondHash = _verifyMaxBid(second, secondSignature);
        // The higher maximum wins; on a tie the current leader keeps the lead if it is one of the two
        // (it was there first), otherwise `first` wins.
        if (
            first.maxAmount > second.maxAmount
                || (first.maxAmount == second.maxAmount && _leader(auctionId) != second.bidder)
        ) {
            _resolve(first, firstHash, second, secondHash);
        } else {
            _resolve(second, secondHash, first, firstHash);
        }
    }

    /// @inheritdoc ICommissaryAuction
    function revokeMaxBid(bytes32 maxBidHash) external {
        _revokeMaxBid(msg.sender, maxBidHash);
    }

    /// @inheritdoc ICommissaryAuction
    function revokeMaxBidBySig(address bidder, bytes32 maxBidHash, bytes calldata signature) external {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(MAX_BID_REVOCATION_TYPEHASH, bidder, maxBidHash)));
        if (!SignatureChecker.isValidSignatureNowCalldata(bidder, digest, signature)) revert InvalidSignature();
        _revokeMaxBid(bidder, maxBidHash);
    }

    /// @inheritdoc ICommissaryAuction
    function hashMaxBid(MaxBid calldata maxBid) external view returns (bytes32) {
        return _hashMaxBid(maxBid);
    }

    /// @inheritdoc ICommissaryAuction
    function invalidateNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit NonceInvalidated(msg.sender, nonce);
    }

    // ---------------------------------------------------------------------------------------------
    // Settlement and refunds
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    function settle(uint256 auctionId) external {
        uint256 slot0;
        uint256 amount;
        bool settleable;
        assembly ("memory-safe") {
            let base := add(_AUCTIONS_BASE, shl(1, auctionId))
            slot0 := sload(base)
            // Settleable: a valid id, status Open and endTime <= block.timestamp.
            settleable := and(
                lt(sub(shr(_END_SHIFT, slot0), _OPEN_ENDING_AT_0), add(timestamp(), 1)),
                iszero(shr(_ID_BITS, auctionId))
            )
            if settleable {
                sstore(base, xor(slot0, _OPEN_TO_SETTLED))
                let slot1 := sload(add(base, 1))
                let winner := and(slot1, _MASK160)
                // Before the first bid slot 1 holds (address(0), reservePrice): nothing to pay.
                if winner { amount := shr(_BID_SHIFT, slot1) }
                mstore(0x00, amount)
                log3(0x00, 0x20, _AUCTION_SETTLED_SIG, auctionId, winner)
            }
        }
        if (!settleable) _revertNotSettleable(auctionId, slot0);
        if (amount != 0) _payTreasury(amount);
    }

    /// @inheritdoc ICommissaryAuction
    function settleMany(uint256[] calldata auctionIds) external returns (uint256 settledCount) {
        uint256 total;
        assembly ("memory-safe") {
            // acc = settledCount << 128 | total (a sum of uint96 amounts cannot reach 2**128).
            let acc := 0
            let ptr := auctionIds.offset
            let end := add(ptr, shl(5, auctionIds.length))
            // The loop settles two ids per iteration (half the loop overhead), so the per-id block
            // appears three times: for an odd first id, then for each id of a pair. Keep them identical.
            if and(auctionIds.length, 1) {
                // Settle auction `id` if settleable: status Open and endTime <= block.timestamp, and a valid
                // id (a bit at or above _ID_BITS makes the left side >= 2**64). Everything else is skipped.
                {
                    let id := calldataload(ptr)
                    let base := add(_AUCTIONS_BASE, shl(1, id))
                    let word := sload(base) // slot 0
                    if iszero(
                        gt(or(sub(shr(_END_SHIFT, word), _OPEN_ENDING_AT_0), and(id, _NOT_ID_MASK)), timestamp())
                    ) {
                        // Status Open (1) -> Settled (2).
                        sstore(base, xor(word, _OPEN_TO_SETTLED))
                        // (Variables are reused below to keep the stack small.)
                        word := sload(add(base, 1)) // slot 1: winner | amount
                        base := shr(_BID_SHIFT, word) // amount
                        word := and(word, _MASK160) // winner
                        // No bidder: slot 1 holds (address(0), reservePrice) and nothing is paid.
                        if iszero(word) { base := 0 }
                        mstore(0x00, base)
                        log3(0x00, 0x20, _AUCTION_SETTLED_SIG, id, word)
                        acc := add(acc, add(base, 0x100000000000000000000000000000000))
                    }
                }
                ptr := add(ptr, 0x20)
            }
            // `ptr` steps from the offset to `end` exactly, so `!=` ends the loop (one opcode less than `<`).
            for {} iszero(eq(ptr, end)) { ptr := add(ptr, 0x40) } {
                {
                    let id := calldataload(ptr)
                    let base := add(_AUCTIONS_BASE, shl(1, id))
                    let word := sload(base) // slot 0
                    if iszero(
                        gt(or(sub(shr(_END_SHIFT, word), _OPEN_ENDING_AT_0), and(id, _NOT_ID_MASK)), timestamp())
                    ) {
                        sstore(base, xor(word, _OPEN_TO_SETTLED))
                        word := sload(add(base, 1)) // slot 1: winner | amount
                        base := shr(_BID_SHIFT, word) // amount
                        word := and(word, _MASK160) // winner
                        if iszero(word) { base := 0 }
                        mstore(0x00, base)
                        log3(0x00, 0x20, _AUCTION_SETTLED_SIG, id, word)
                        acc := add(acc, add(base, 0x100000000000000000000000000000000))
                    }
                }
                {
                    let id := calldataload(add(ptr, 0x20))
                    let base := add(_AUCTIONS_BASE, shl(1, id))
                    let word := sload(base) // slot 0
                    if iszero(
                        gt(or(sub(shr(_END_SHIFT, word), _OPEN_ENDING_AT_0), and(id, _NOT_ID_MASK)), timestamp())
                    ) {
                        sstore(base, xor(word, _OPEN_TO_SETTLED))
                        word := sload(add(base, 1)) // slot 1: winner | amount
                        base := shr(_BID_SHIFT, word) // amount
                        word := and(word, _MASK160) // winner
                        if iszero(word) { base := 0 }
                        mstore(0x00, base)
                        log3(0x00, 0x20, _AUCTION_SETTLED_SIG, id, word)
                        acc := add(acc, add(base, 0x100000000000000000000000000000000))
                    }
                }
            }
            settledCount := shr(128, acc)
            total := and(acc, 0xffffffffffffffffffffffffffffffff)
        }
        if (total != 0) _payTreasury(total);
    }

    /// @inheritdoc ICommissaryAuction
    function withdraw() external {
        uint256 amount = credits[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        credits[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        if (!_transfer(msg.sender, amount, gasleft())) revert TokenTransferFailed();
    }

    // ---------------------------------------------------------------------------------------------
    // Admin
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    function setTreasury(address newTreasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newTreasury == address(0)) revert ZeroAddress();
        // Proceeds paid to the escrow itself would be stuck: no function moves them out.
        if (newTreasury == address(this)) revert InvalidTreasury(newTreasury);
        emit TreasuryUpdated(_config.treasury, newTreasury);
        _config.treasury = newTreasury;
    }

    /// @inheritdoc ICommissaryAuction
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_config.paused) revert ExpectedPause(false);
        _config.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc ICommissaryAuction
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_config.paused) revert ExpectedPause(true);
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc ICommissaryAuction
    function minNextBid(uint256 auctionId) external view returns (uint256) {
        Auction memory a = _loadAuction(auctionId);
        if (a.status == Status.None) revert AuctionNotFound(auctionId);
        if (a.highestBidder == address(0)) return a.reservePrice;
        return _minRaise(a.highestBid, a.minIncrementBps);
    }

    /// @inheritdoc ICommissaryAuction
    function getAuction(uint256 auctionId) external view returns (Auction memory auction) {
        auction = _loadAuction(auctionId);
        if (auction.highestBidder == address(0)) auction.highestBid = 0;
    }

    /// @inheritdoc ICommissaryAuction
    function token() external view returns (address) {
        return _TOKEN;
    }

    /// @inheritdoc ICommissaryAuction
    function treasury() external view returns (address) {
        return _config.treasury;
    }

    /// @inheritdoc ICommissaryAuction
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc ICommissaryAuction
    function auctionCount() external view returns (uint256) {
        return _config.auctionCount;
    }

    /// @inheritdoc ICommissaryAuction
    function nonces(address bidder) public view override(ICommissaryAuction, Nonces) returns (uint256) {
        return super.nonces(bidder);
    }

    /// @inheritdoc ICommissaryAuction
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(ICommissaryAuction).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The bid rules, shared by every bid entry point: `bidder` pays `amount` (or the difference
    ///      to its own current bid) and becomes the highest bidder; the previous one is refunded.
    function _bid(address bidder, uint256 auctionId, uint256 amount) private {
        address t = _TOKEN;
        bool ok;
        assembly ("memory-safe") {
            let base := add(_AUCTIONS_BASE, shl(1, auctionId))
            let slot0 := sload(base)
            let slot1 := sload(add(base, 1))
            let endTime := and(shr(_END_SHIFT, slot0), _MASK40)
            let previousBidder := and(slot1, _MASK160)
            let previousBid := shr(_BID_SHIFT, slot1) // the reserve price while there is no bidder
            // minimum = previousBid, plus ceil(previousBid * bps / 10000) once there is a bidder.
            let minimum := previousBid
            if previousBidder {
                minimum := add(minimum, div(add(mul(previousBid, and(shr(_BPS_SHIFT, slot0), _MASK16)), 9999), _BPS))
            }
            // All checks at once; the reason is worked out in the cold path below.
            ok := and(
                and(eq(shr(_STATUS_SHIFT, slot0), _OPEN), lt(timestamp(), endTime)),
                iszero(
                    or(
                        or(
                            or(lt(timestamp(), and(shr(_START_SHIFT, slot0), _MASK40)), lt(amount, minimum)),
                            shr(_ID_BITS, auctionId)
                        ),
                        or(and(shr(_PAUSED_SHIFT, sload(_config.slot)), 0xff), tload(_LOCK_SLOT))
                    )
                )
            )
            if ok {
                // Effects: new highest bid, possibly a later end.
                sstore(add(base, 1), or(bidder, shl(_BID_SHIFT, amount)))
                let extendedEnd := add(timestamp(), and(shr(_WINDOW_SHIFT, slot0), _MASK32))
                if gt(extendedEnd, endTime) {
                    // Extensions stop at MAX_END_TIME instead of wrapping into the status byte.
                    if shr(40, extendedEnd) { extendedEnd := _MASK40 }
                    endTime := extendedEnd
                    sstore(base, or(and(slot0, _END_CLEAR_MASK), shl(_END_SHIFT, extendedEnd)))
                }
                mstore(0x00, amount)
                mstore(0x20, endTime)
                log3(0x00, 0x40, _BID_PLACED_SIG, auctionId, bidder)

                // Interactions. Pull `amount`, or only the difference when raising one's own bid.
                let pull := amount
                if eq(previousBidder, bidder) {
                    pull := sub(amount, previousBid)
                    previousBidder := 0 // nothing to refund
                }
                tstore(_LOCK_SLOT, 1)
                let fmp := mload(0x40)
                // before = token.balanceOf(this)
                mstore(0x00, _BALANCE_OF)
                mstore(0x20, address())
                if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), t, 0x1c, 0x24, 0x20, 0x20))) {
                    mstore(0x00, _TOKEN_TRANSFER_FAILED)
                    revert(0x1c, 0x04)
                }
                let before := mload(0x20)
                // token.transferFrom(bidder, this, pull): must succeed and return true or nothing.
                mstore(0x60, pull)
                mstore(0x40, address())
                mstore(0x2c, shl(96, bidder))
                mstore(0x0c, shl(96, _TRANSFER_FROM))
                let success := call(gas(), t, 0, 0x1c, 0x64, 0x00, 0x20)
                if iszero(
                    and(success, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))
                ) {
                    mstore(0x00, _TOKEN_TRANSFER_FAILED)
                    revert(0x1c, 0x04)
                }
                mstore(0x60, 0)
                mstore(0x40, fmp)
                // received = token.balanceOf(this) - before >= pull, else revert.
                mstore(0x00, _BALANCE_OF)
                mstore(0x20, address())
                if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), t, 0x1c, 0x24, 0x20, 0x20))) {
                    mstore(0x00, _TOKEN_TRANSFER_FAILED)
                    revert(0x1c, 0x04)
                }
                let received := mul(gt(mload(0x20), before), sub(mload(0x20), before))
                if lt(received, pull) {
                    mstore(0x00, _INSUFFICIENT_TOKENS_RECEIVED)
                    mstore(0x20, pull)
                    mstore(0x40, received)
                    revert(0x1c, 0x44)
                }
                tstore(_LOCK_SLOT, 0)

                // Refund the outbid bidder; on any failure credit it for withdraw() instead.
                if previousBidder {
                    mstore(0x14, previousBidder)
                    mstore(0x34, previousBid)
                    mstore(0x00, shl(96, _TRANSFER))
                    success := call(REFUND_GAS_LIMIT, t, 0, 0x10, 0x44, 0x00, 0x20)
                    mstore(0x34, 0)
                    if iszero(
                        and(success, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))
                    ) {
                        mstore(0x00, previousBidder)
                        mstore(0x20, credits.slot)
                        let creditSlot := keccak256(0x00, 0x40)
                        // Cannot overflow: credits are backed by tokens held in escrow.
                        sstore(creditSlot, add(sload(creditSlot), previousBid))
                        mstore(0x00, previousBid)
                        log2(0x00, 0x20, _REFUND_CREDITED_SIG, previousBidder)
                    }
                }
            }
        }
        if (!ok) _revertBid(auctionId, amount);
    }

    /// @dev Minimum next bid over `highest`: highest + ceil(highest * bps / 10000).
    function _minRaise(uint256 highest, uint256 bps) private pure returns (uint256) {
        unchecked {
            // Cannot overflow: 96-bit amount times a 16-bit bps.
            return highest + (highest * bps + (_BPS - 1)) / _BPS;
        }
    }

    /// @dev Cold path of {_bid}: reverts with the reason the bid was rejected.
    function _revertBid(uint256 auctionId, uint256 amount) private view {
        uint256 locked;
        assembly ("memory-safe") {
            locked := tload(_LOCK_SLOT)
        }
        if (locked != 0) revert ReentrantCall();
        if (_config.paused) revert EnforcedPause();
        Auction memory a = _loadAuction(auctionId);
        if (a.status != Status.Open) _revertNotOpen(auctionId, uint256(a.status));
        if (block.timestamp < a.startTime) revert AuctionNotStarted(auctionId, a.startTime);
        if (block.timestamp >= a.endTime) revert AuctionEnded(auctionId, a.endTime);
        uint256 minimum = a.highestBidder == address(0) ? a.reservePrice : _minRaise(a.highestBid, a.minIncrementBps);
        revert BidTooLow(auctionId, amount, minimum);
    }

    /// @dev Cold path of {createAuction}: reverts with the reason the auction was rejected.
    function _revertCreate(
        uint96 reservePrice,
        uint40 startTime,
        uint40 endTime,
        uint16 minIncrementBps,
        uint32 extensionWindow
    ) private view {
        _checkRole(LISTER_ROLE);
        if (_config.paused) revert EnforcedPause();
        if (endTime <= startTime || endTime <= block.timestamp) revert InvalidSchedule(startTime, endTime);
        if (reservePrice == 0) revert ZeroReservePrice();
        if (minIncrementBps == 0 || minIncrementBps > _BPS) revert InvalidMinIncrement(minIncrementBps);
        if (extensionWindow > MAX_EXTENSION_WINDOW) revert ExtensionWindowTooLong(extensionWindow);
        revert EndTimeTooLate(endTime, extensionWindow);
    }

    /// @dev Cold path of {settle}.
    function _revertNotSettleable(uint256 auctionId, uint256 slot0) private pure {
        if (auctionId >> _ID_BITS != 0) revert AuctionNotFound(auctionId);
        uint256 status = slot0 >> _STATUS_SHIFT;
        if (status != _OPEN) _revertNotOpen(auctionId, status);
        revert AuctionNotEnded(auctionId, uint40(slot0 >> _END_SHIFT));
    }

    /// @dev Reverts with the precise reason an auction is not open.
    function _revertNotOpen(uint256 auctionId, uint256 status) private pure {
        if (status == uint256(Status.None)) revert AuctionNotFound(auctionId);
        revert AuctionClosed(auctionId, Status(status));
    }

    /// @dev Checks deadline, consumes the nonce and verifies the bidder's signature of `signedBid`.
    function _verifyBid(Bid calldata signedBid, bytes calldata signature) private {
        if (block.timestamp > signedBid.deadline) revert SignatureExpired(signedBid.deadline);
        _useCheckedNonce(signedBid.bidder, signedBid.nonce);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    BID_TYPEHASH,
                    signedBid.bidder,
                    signedBid.auctionId,
                    signedBid.amount,
                    signedBid.nonce,
                    signedBid.deadline
                )
            )
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(signedBid.bidder, digest, signature)) {
            revert InvalidSignature();
        }
    }

    /// @dev EIP-712 digest of a {MaxBid} authorization (its identity).
    function _hashMaxBid(MaxBid calldata maxBid) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    MAX_BID_TYPEHASH, maxBid.bidder, maxBid.auctionId, maxBid.maxAmount, maxBid.salt, maxBid.deadline
                )
            )
        );
    }

    /// @dev Checks deadline, revocation and the bidder's signature of `maxBid`; returns its digest.
    ///      Nothing is consumed: an authorization is reusable, each use is bounded by its maximum.
    function _verifyMaxBid(MaxBid calldata maxBid, bytes calldata signature) private view returns (bytes32 digest) {
        if (block.timestamp > maxBid.deadline) revert SignatureExpired(maxBid.deadline);
        digest = _hashMaxBid(maxBid);
        if (maxBidRevoked[maxBid.bidder][digest]) revert AuthorizationRevoked(digest);
        if (!SignatureChecker.isValidSignatureNowCalldata(maxBid.bidder, digest, signature)) {
            revert InvalidSignature();
        }
    }

    /// @dev The bid {bidByMaxBid} places after verification: exactly minNextBid, never above the
    ///      maximum, never while the bidder leads. Emits {MaxBidUsed} (before the interactions, so the
    ///      caller's permit and {_bid} come after every effect).
    function _minimumUnder(MaxBid calldata maxBid, bytes32 maxBidHash) private returns (uint256 minimum) {
        uint256 auctionId = maxBid.auctionId;
        Auction memory a;
        (a, minimum) = _biddable(auctionId);
        if (a.highestBidder == maxBid.bidder) revert AlreadyLeading(auctionId, maxBid.bidder);
        if (maxBid.maxAmount < minimum) revert MaxBidTooLow(auctionId, maxBid.maxAmount, minimum);
        emit MaxBidUsed(auctionId, maxBid.bidder, maxBidHash, uint96(minimum), bytes32(0));
    }

    /// @dev The auction (raw, see {_loadAuction}) and its minNextBid if it accepts a bid right now;
    ///      otherwise reverts with the reason {bid} would give (lock, pause, unknown or closed, not
    ///      started, ended). {_bid} checks all of it again: this only orders the max-bid checks after
    ///      the auction's own.
    function _biddable(uint256 auctionId) private view returns (Auction memory a, uint256 minimum) {
        a = _loadAuction(auctionId);
        uint256 locked;
        assembly ("memory-safe") {
            locked := tload(_LOCK_SLOT)
        }
        if (
            locked != 0 || _config.paused || a.status != Status.Open || block.timestamp < a.startTime
                || block.timestamp >= a.endTime
        ) {
            _revertBid(auctionId, 0); // one of the above fails, so this never reaches BidTooLow
        }
        minimum = a.highestBidder == address(0) ? a.reservePrice : _minRaise(a.highestBid, a.minIncrementBps);
    }

    /// @dev {resolveMaxBids} once the winner is known: `winner` bids against `other`'s maximum.
    function _resolve(MaxBid calldata winner, bytes32 winnerHash, MaxBid calldata other, bytes32 otherHash) private {
        uint256 auctionId = winner.auctionId;
        (Auction memory a, uint256 minimum) = _biddable(auctionId);
        uint256 price = minimum;
        bytes32 against = bytes32(0);
        if (other.maxAmount >= minimum) {
            // The other maximum is a real competitor: the winner pays the bid that would beat it, i.e.
            // the minimum next bid had it bid its maximum, capped at the winner's own maximum. Both are
            // >= minimum (winner.maxAmount >= other.maxAmount >= minimum).
            _requireFunded(other, a);
            price = _minRaise(other.maxAmount, a.minIncrementBps);
            if (price > winner.maxAmount) price = winner.maxAmount;
            against = otherHash;
        } else {
            // No competitor: a plain minimum bid, under the same rules as bidByMaxBid.
            if (a.highestBidder == winner.bidder) revert AlreadyLeading(auctionId, winner.bidder);
            if (winner.maxAmount < minimum) revert MaxBidTooLow(auctionId, winner.maxAmount, minimum);
        }
        emit MaxBidUsed(auctionId, winner.bidder, winnerHash, uint96(price), against);
        _bid(winner.bidder, auctionId, price);
    }

    /// @dev Current highest bidder of `auctionId` (address(0) before the first bid or for unknown ids).
    function _leader(uint256 auctionId) private view returns (address) {
        return _loadAuction(auctionId).highestBidder;
    }

    /// @dev Reverts with {MaxBidUnfunded} unless `maxBid.bidder` could pay `maxBid.maxAmount` now:
    ///      its balance and allowance cover the maximum, less its own bid already in escrow if it leads.
    function _requireFunded(MaxBid calldata maxBid, Auction memory a) private view {
        uint256 needed = maxBid.maxAmount;
        // A leader's own bid counts; the caller only gets here with maxAmount >= minNextBid > its bid.
        if (a.highestBidder == maxBid.bidder) needed -= a.highestBid;
        IERC20 t = IERC20(_TOKEN);
        if (t.balanceOf(maxBid.bidder) < needed || t.allowance(maxBid.bidder, address(this)) < needed) {
            revert MaxBidUnfunded(maxBid.bidder, maxBid.maxAmount);
        }
    }

    /// @dev Records a revocation once (a repeated one is a no-op, so retried or replayed revocations
    ///      succeed without a second event).
    function _revokeMaxBid(address bidder, bytes32 maxBidHash) private {
        if (maxBidRevoked[bidder][maxBidHash]) return;
        maxBidRevoked[bidder][maxBidHash] = true;
        emit MaxBidRevoked(bidder, maxBidHash);
    }

    /// @dev Attempts an EIP-2612 permit for this contract and ignores failure (e.g. the permit was
    ///      front-run: the allowance is then already there and the pull succeeds).
    function _tryPermit(address owner, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        try IERC20Permit(_TOKEN).permit(owner, address(this), value, deadline, v, r, s) {} catch {}
    }

    /// @dev Pays `amount` from escrow to the treasury, or reverts.
    function _payTreasury(uint256 amount) private {
        if (!_transfer(_config.treasury, amount, gasleft())) revert TokenTransferFailed();
    }

    /// @dev token.transfer(to, amount) with at most `gasLimit` gas; true iff the call succeeded and
    ///      returned `true` or nothing. At most 32 bytes of returndata are copied.
    function _transfer(address to, uint256 amount, uint256 gasLimit) private returns (bool ok) {
        address t = _TOKEN;
        assembly ("memory-safe") {
            mstore(0x14, to)
            mstore(0x34, amount)
            mstore(0x00, shl(96, _TRANSFER))
            ok := call(gasLimit, t, 0, 0x10, 0x44, 0x00, 0x20)
            ok := and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))
            mstore(0x34, 0)
        }
    }

    /// @dev Storage slot 0 of auction `auctionId`; slot 1 follows.
    function _auctionSlot(uint256 auctionId) private pure returns (uint256 base) {
        unchecked {
            return _AUCTIONS_BASE + 2 * auctionId;
        }
    }

    /// @dev Decodes auction `auctionId` from storage (raw: highestBid is the reserve before a bid).
    function _loadAuction(uint256 auctionId) private view returns (Auction memory a) {
        if (auctionId >> _ID_BITS != 0) return a; // unknown: all zero
        uint256 base = _auctionSlot(auctionId);
        uint256 slot0;
        uint256 slot1;
        assembly ("memory-safe") {
            slot0 := sload(base)
            slot1 := sload(add(base, 1))
        }
        a.reservePrice = uint96(slot0);
        a.startTime = uint40(slot0 >> _START_SHIFT);
        a.minIncrementBps = uint16(slot0 >> _BPS_SHIFT);
        a.extensionWindow = uint32(slot0 >> _WINDOW_SHIFT);
        a.endTime = uint40(slot0 >> _END_SHIFT);
        a.status = Status(uint8(slot0 >> _STATUS_SHIFT));
        a.highestBidder = address(uint160(slot1));
        a.highestBid = uint96(slot1 >> _BID_SHIFT);
    }
}
