// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/// @title ICommissaryAuction
/// @author Ampled music co-op
/// @notice Escrow English auctions paid in a single ERC-20 (the co-op's $AMPLED).
///
/// Lifecycle of an auction:
///  1. A `LISTER_ROLE` account calls {createAuction}. Ids start at 1 and increase by one.
///  2. While `startTime <= block.timestamp < endTime` anyone may {bid} (or {bidWithPermit}, or have a
///     relayer submit a signed bid with {bidBySig} / {bidBySigWithPermit}). The bid amount is pulled
///     into this contract (escrow); the bidder who was outbid is refunded in the same transaction, or,
///     if that transfer fails, credited for a later {withdraw}. A bid placed within `extensionWindow`
///     of the end moves the end to `block.timestamp + extensionWindow`.
///  3. Once `block.timestamp >= endTime` anyone may {settle} (or {settleMany}); the highest bid is paid
///     to the treasury. An auction settles exactly once.
///  A lister may {cancel} an auction before its first bid. Settled or cancelled auctions never change.
///
/// Ids: an id that was never created (0, above {auctionCount}, or any id >= 2**64) is unknown on every
/// path: {bid}, {bidWithPermit}, {bidBySig}, {bidBySigWithPermit}, {settle}, {cancel} and {minNextBid}
/// revert with {AuctionNotFound}, {settleMany} skips it and {getAuction} returns the all-zero struct.
/// Events therefore only ever name ids 1..{auctionCount}.
///
/// Pause: {pause} stops {createAuction} and every bid, but not the clock. An auction whose end passes
/// while the contract is paused ends on time with the highest bid placed before the pause, and anyone
/// can settle it (settlement, {cancel}, {withdraw} and {invalidateNonce} keep working while paused). So
/// whoever holds DEFAULT_ADMIN_ROLE can, by pausing just before an end, keep the current leader in
/// front: the admin must be a multisig or timelock in production, and pausing is for emergencies.
/// The clock is deliberately not frozen for auctions that end during a pause: doing that soundly needs
/// either a per-auction record of past pauses or a contract-wide "running time" clock, and either one
/// changes what `startTime`/`endTime` mean for every reader (events, {getAuction}, the indexer, the
/// page) and moves every open auction's end at once on {unpause}, without an event per auction; it
/// also costs every bid and settlement extra storage reads. The explicit rule above is cheaper and
/// easier to check.
///
/// Maximum bids ("bid up to"): a bidder signs one {MaxBid} authorization (EIP-712, same domain as
/// {Bid}) and a relayer bids for it whenever it is outbid, with {bidByMaxBid} (exactly {minNextBid},
/// never above `maxAmount`, never while the bidder already leads) or, when two bidders both hold
/// authorizations, with {resolveMaxBids}: the higher maximum takes the lead in one transaction at the
/// second-highest maximum plus one increment (eBay's rule), capped at its own maximum. The contract,
/// not the relayer, enforces these bounds, so the relayer needs no trust beyond liveness. An
/// authorization is identified by its EIP-712 digest ({hashMaxBid}), is reusable until its `deadline`
/// and is void once its bidder revoked that digest ({revokeMaxBid}, {revokeMaxBidBySig}).
///
/// All amounts are in token base units. Every function is non-payable.
interface ICommissaryAuction is IERC5267 {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Storage status of an auction. `None` means the id was never created.
    /// @dev `Open` covers "not started yet", "running" and "ended, waiting for settlement";
    ///      compare `startTime`/`endTime` with the current time to tell them apart.
    enum Status {
        None,
        Open,
        Settled,
        Cancelled
    }

    /// @notice An auction as returned by {getAuction}. Stored in exactly two slots: one holds
    ///         reservePrice, startTime, endTime, minIncrementBps, extensionWindow and status, the other
    ///         highestBidder and highestBid.
    /// @param reservePrice Minimum first bid (> 0).
    /// @param startTime First second (unix time) at which bids are accepted.
    /// @param endTime First second at which bids are no longer accepted; moves forward on late bids.
    /// @param minIncrementBps Minimum raise over the highest bid, in basis points (1..10000), rounded up.
    /// @param extensionWindow Anti-sniping window in seconds (<= 1 day); 0 disables extensions.
    /// @param status See {Status}.
    /// @param highestBidder Current (or, once settled, winning) bidder; address(0) before the first bid.
    /// @param highestBid Current (or winning) bid; 0 before the first bid.
    struct Auction {
        uint96 reservePrice;
        uint40 startTime;
        uint40 endTime;
        uint16 minIncrementBps;
        uint32 extensionWindow;
        Status status;
        address highestBidder;
        uint96 highestBid;
    }

    /// @notice A bid signed by `bidder` (EIP-712) and submitted by anyone, e.g. the co-op's relayer.
    /// @dev EIP-712 type string (see {BID_TYPEHASH}):
    ///      `Bid(address bidder,uint256 auctionId,uint96 amount,uint256 nonce,uint256 deadline)`
    ///      Domain: name "CommissaryAuction", version "1", chainId, verifyingContract = this contract
    ///      (read it with {eip712Domain}).
    /// @param bidder The account that bids and pays; it must have signed this struct.
    /// @param auctionId Auction to bid on.
    /// @param amount Bid amount (the full new highest bid, as for {bid}).
    /// @param nonce Must equal `nonces(bidder)`; consumed on success, so a signature is usable once.
    /// @param deadline Last unix time (inclusive) at which the signature may be used.
    struct Bid {
        address bidder;
        uint256 auctionId;
        uint96 amount;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice A standing authorization, signed by `bidder` (EIP-712), to bid for it on `auctionId` up to
    ///         `maxAmount`, submitted by anyone (the co-op's relayer) with {bidByMaxBid} or {resolveMaxBids}.
    /// @dev EIP-712 type string (see {MAX_BID_TYPEHASH}):
    ///      `MaxBid(address bidder,uint256 auctionId,uint96 maxAmount,uint256 salt,uint256 deadline)`
    ///      Domain: the same as {Bid} (name "CommissaryAuction", version "1", chainId, verifyingContract =
    ///      this contract), so an authorization is bound to this chain, this contract, one auction and one
    ///      bidder. It is not consumed by use: every bid placed under it is bounded by the rules of
    ///      {bidByMaxBid} / {resolveMaxBids} instead. Its identity is its EIP-712 digest ({hashMaxBid}),
    ///      which is what {revokeMaxBid} and {revokeMaxBidBySig} revoke.
    /// @param bidder The account that bids and pays; it must have signed this struct.
    /// @param auctionId The only auction the authorization may bid on.
    /// @param maxAmount No bid placed under the authorization is ever above this (the full highest bid).
    /// @param salt Any value; distinguishes a new authorization from a revoked one with the same terms.
    /// @param deadline Last unix time (inclusive) at which the authorization may be used.
    struct MaxBid {
        address bidder;
        uint256 auctionId;
        uint96 maxAmount;
        uint256 salt;
        uint256 deadline;
    }

    /// @notice An EIP-2612 permit signed by the token owner for this contract as spender.
    /// @param value Allowance to grant this contract.
    /// @param deadline Permit deadline.
    /// @param v Signature `v`.
    /// @param r Signature `r`.
    /// @param s Signature `s`.
    struct Permit {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A new auction `auctionId` was created for the listing `listingHash`.
    event AuctionCreated(
        uint256 indexed auctionId,
        bytes32 indexed listingHash,
        uint96 reservePrice,
        uint40 startTime,
        uint40 endTime,
        uint16 minIncrementBps,
        uint32 extensionWindow
    );

    /// @notice `bidder` is now the highest bidder of `auctionId` with `amount`; `endTime` is the
    ///         (possibly extended) end of the auction after this bid. Also emitted for relayed bids,
    ///         with `bidder` = the signer.
    event BidPlaced(uint256 indexed auctionId, address indexed bidder, uint96 amount, uint40 endTime);

    /// @notice `auctionId` was settled; `amount` was paid to the treasury. `winner` is address(0) and
    ///         `amount` 0 when the auction ended without bids.
    event AuctionSettled(uint256 indexed auctionId, address indexed winner, uint96 amount);

    /// @notice `auctionId` was cancelled before any bid.
    event AuctionCancelled(uint256 indexed auctionId);

    /// @notice Refunding an outbid bidder failed; `amount` was added to `credits(bidder)` instead.
    event RefundCredited(address indexed bidder, uint256 amount);

    /// @notice `bidder` withdrew `amount` of credited refunds.
    event Withdrawn(address indexed bidder, uint256 amount);

    /// @notice `bidder` consumed its relayed-bid nonce `nonce` without bidding ({invalidateNonce}): every
    ///         signed {Bid} with this nonce is void, and `nonces(bidder)` is now `nonce + 1`.
    event NonceInvalidated(address indexed bidder, uint256 nonce);

    /// @notice A bid for `bidder` on `auctionId` of `amount` was placed under the {MaxBid} authorization
    ///         `maxBidHash` (emitted right before its {BidPlaced}, in the same transaction). `againstMaxBidHash` is the other
    ///         bidder's authorization whose maximum set the price in {resolveMaxBids}, or zero (a plain
    ///         {bidByMaxBid} at {minNextBid}, or a resolution in which the other maximum was below it).
    event MaxBidUsed(
        uint256 indexed auctionId,
        address indexed bidder,
        bytes32 indexed maxBidHash,
        uint96 amount,
        bytes32 againstMaxBidHash
    );

    /// @notice `bidder` revoked its {MaxBid} authorization `maxBidHash` ({revokeMaxBid} or
    ///         {revokeMaxBidBySig}); it can no longer be used. Emitted once per authorization.
    event MaxBidRevoked(address indexed bidder, bytes32 indexed maxBidHash);

    /// @notice The treasury receiving settled bids changed.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);

    /// @notice New auctions and bids are paused by `account`.
    event Paused(address account);

    /// @notice New auctions and bids are allowed again by `account`.
    event Unpaused(address account);

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice `endTime` must be after `startTime` and after the current time.
    error InvalidSchedule(uint40 startTime, uint40 endTime);
    /// @notice The reserve price must be non-zero.
    error ZeroReservePrice();
    /// @notice `minIncrementBps` must be within 1..10000.
    error InvalidMinIncrement(uint16 minIncrementBps);
    /// @notice `extensionWindow` must be at most one day.
    error ExtensionWindowTooLong(uint32 extensionWindow);
    /// @notice `endTime + extensionWindow` must not exceed `type(uint40).max`, so that an extension can
    ///         never pass the largest end time the auction can store.
    error EndTimeTooLate(uint40 endTime, uint32 extensionWindow);
    /// @notice No auction with this id was ever created.
    error AuctionNotFound(uint256 auctionId);
    /// @notice The auction is settled or cancelled (`status`), so it can no longer change.
    error AuctionClosed(uint256 auctionId, Status status);
    /// @notice Bids are accepted from `startTime` on.
    error AuctionNotStarted(uint256 auctionId, uint40 startTime);
    /// @notice Bids are accepted only before `endTime`.
    error AuctionEnded(uint256 auctionId, uint40 endTime);
    /// @notice Settlement is possible only from `endTime` on.
    error AuctionNotEnded(uint256 auctionId, uint40 endTime);
    /// @notice The auction already has a bid and can no longer be cancelled.
    error AuctionHasBids(uint256 auctionId);
    /// @notice `amount` is below `minNextBid(auctionId)` = `minimum`.
    error BidTooLow(uint256 auctionId, uint256 amount, uint256 minimum);
    /// @notice New auctions and bids are paused.
    error EnforcedPause();
    /// @notice `pause` while paused or `unpause` while not paused.
    error ExpectedPause(bool paused);
    /// @notice A token transfer into or out of escrow failed (reverted, returned false or
    ///         returned malformed data).
    error TokenTransferFailed();
    /// @notice The token delivered less than the bid required (e.g. a fee-on-transfer token).
    error InsufficientTokensReceived(uint256 expected, uint256 received);
    /// @notice The caller has no credited refunds.
    error NothingToWithdraw();
    /// @notice The relayed bid's signature is past its deadline.
    error SignatureExpired(uint256 deadline);
    /// @notice The relayed bid's signature was not produced by `signedBid.bidder`.
    error InvalidSignature();
    /// @notice address(0) given where an account is required.
    error ZeroAddress();
    /// @notice The treasury cannot be this contract: settled bids paid to the escrow would be stuck.
    error InvalidTreasury(address treasury);
    /// @notice A bid was nested inside another bid's token pull (a token with transfer hooks).
    error ReentrantCall();
    /// @notice The token address has no code.
    error InvalidToken(address token);
    /// @notice The {MaxBid} authorization `maxBidHash` was revoked by its bidder.
    error AuthorizationRevoked(bytes32 maxBidHash);
    /// @notice `bidder` already leads `auctionId`: a maximum bid never bids against its own bidder.
    error AlreadyLeading(uint256 auctionId, address bidder);
    /// @notice The authorization's `maxAmount` is below the `minimum` bid it would have to place.
    error MaxBidTooLow(uint256 auctionId, uint96 maxAmount, uint256 minimum);
    /// @notice The two authorizations given to {resolveMaxBids} are for different auctions.
    error AuctionMismatch(uint256 firstAuctionId, uint256 secondAuctionId);
    /// @notice The two authorizations given to {resolveMaxBids} have the same bidder.
    error SameBidder(address bidder);
    /// @notice In {resolveMaxBids}, the outbid maximum's bidder could not pay `maxAmount` (balance or
    ///         allowance too small), so that maximum cannot set the price.
    error MaxBidUnfunded(address bidder, uint96 maxAmount);

    // ---------------------------------------------------------------------------------------------
    // Listing (LISTER_ROLE)
    // ---------------------------------------------------------------------------------------------

    /// @notice Creates an auction. Only `LISTER_ROLE`; not while paused.
    /// @param listingHash Opaque reference to the off-chain listing (emitted, not stored).
    /// @param reservePrice Minimum first bid; must be > 0.
    /// @param startTime First second bids are accepted (may be in the past).
    /// @param endTime End of bidding; must be > `startTime` and > now, and
    ///        `endTime + extensionWindow <= type(uint40).max` ({EndTimeTooLate}).
    /// @param minIncrementBps Minimum raise over the highest bid in basis points, 1..10000.
    /// @param extensionWindow Anti-sniping window in seconds, at most 86400.
    /// @return auctionId The new auction's id (1, 2, 3, ...).
    function createAuction(
        bytes32 listingHash,
        uint96 reservePrice,
        uint40 startTime,
        uint40 endTime,
        uint16 minIncrementBps,
        uint32 extensionWindow
    ) external returns (uint256 auctionId);

    /// @notice Cancels an auction that has no bid yet. Only `LISTER_ROLE`. Emits {AuctionCancelled}.
    function cancel(uint256 auctionId) external;

    // ---------------------------------------------------------------------------------------------
    // Bidding
    // ---------------------------------------------------------------------------------------------

    /// @notice Bids `amount` on `auctionId`, pulling the tokens from the caller (needs allowance).
    /// @dev Requires `startTime <= block.timestamp < endTime`, not paused, and
    ///      `amount >= minNextBid(auctionId)`. The previous highest bidder is refunded in the same
    ///      transaction; if that transfer fails the amount is credited ({RefundCredited}) for
    ///      {withdraw}. If the caller already is the highest bidder only the difference is pulled.
    ///      Reverts with {InsufficientTokensReceived} if the escrow receives less than it pulled.
    ///      A bid within `extensionWindow` of the end moves the end to `now + extensionWindow`.
    ///      Emits {BidPlaced}.
    function bid(uint256 auctionId, uint96 amount) external;

    /// @notice {bid} preceded by an EIP-2612 `permit(msg.sender, this, amount, deadline, v, r, s)`.
    /// @dev The permit is attempted and its failure ignored (it may have been front-run); the bid
    ///      then goes ahead if the allowance suffices.
    function bidWithPermit(uint256 auctionId, uint96 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Gasless bid: places `signedBid` on behalf of `signedBid.bidder`, who signed it (EIP-712, see
    ///         {Bid}); anyone may submit it. Tokens are pulled from `signedBid.bidder`, exactly as if the
    ///         bidder had called {bid}; {BidPlaced} names `signedBid.bidder`.
    /// @dev Checks `block.timestamp <= signedBid.deadline`, consumes `signedBid.nonce` (must equal
    ///      `nonces(signedBid.bidder)`) and verifies `signature` for `signedBid.bidder`: a 65-byte
    ///      ECDSA signature `r | s | v` (low-s), or ERC-1271 if `signedBid.bidder` has code.
    /// @param signedBid The signed bid.
    /// @param signature The bidder's signature over the EIP-712 digest of `bid`.
    function bidBySig(Bid calldata signedBid, bytes calldata signature) external;

    /// @notice Revokes the caller's outstanding relayed bids: consumes the caller's current nonce
    ///         (`nonces(msg.sender)`), so every signed {Bid} carrying it can no longer be submitted, and
    ///         emits {NonceInvalidated}. A bidder who handed a signed bid to a relayer calls this to take
    ///         it back before its deadline. Works while paused. The next signed bid must use the new
    ///         `nonces(msg.sender)`.
    /// @dev A transaction from the bidder itself (it needs a little ETH): the relayer has no reason to
    ///      submit a revocation of a bid it holds. Race: if the relayer submits the bid first, the bid
    ///      stands and this call consumes the next nonce instead.
    /// @return nonce The nonce that was consumed.
    function invalidateNonce() external returns (uint256 nonce);

    /// @notice {bidBySig} preceded by the bidder's EIP-2612 permit
    ///         `permit(signedBid.bidder, this, permit.value, permit.deadline, permit.v, permit.r, permit.s)`,
    ///         so a bidder with no allowance and no ETH can bid with two off-chain signatures.
    /// @dev The permit is attempted and its failure ignored (front-run or already used); the bid then
    ///      goes ahead if the allowance suffices.
    function bidBySigWithPermit(Bid calldata signedBid, bytes calldata signature, Permit calldata permit) external;

    // ---------------------------------------------------------------------------------------------
    // Maximum bids
    // ---------------------------------------------------------------------------------------------

    /// @notice Bids for `maxBid.bidder` under its {MaxBid} authorization: places exactly
    ///         `minNextBid(maxBid.auctionId)` (the reserve before the first bid), like a {bid} by the bidder
    ///         (tokens pulled from it, previous leader refunded, soft-close extension, {BidPlaced}), and
    ///         emits {MaxBidUsed} (right before {BidPlaced}) with `againstMaxBidHash` = 0. Anyone may
    ///         submit it.
    /// @dev Reverts with {SignatureExpired} after `maxBid.deadline`, {AuthorizationRevoked} once revoked,
    ///      {InvalidSignature} unless `signature` is the bidder's over {hashMaxBid} (so also for an
    ///      authorization of another chain, contract, auction or bidder), {AlreadyLeading} if the bidder
    ///      already leads, {MaxBidTooLow} if `minNextBid > maxAmount`, and with the reasons of {bid}
    ///      (unknown id, closed, not started, ended, paused). Signatures: 65-byte ECDSA (low-s) or ERC-1271.
    ///      Guarantee: a bid placed this way is never above `maxAmount`, never placed while the bidder
    ///      leads, and is exactly the minimum next bid.
    /// @param maxBid The authorization.
    /// @param signature The bidder's signature over {hashMaxBid}(`maxBid`).
    function bidByMaxBid(MaxBid calldata maxBid, bytes calldata signature) external;

    /// @notice {bidByMaxBid} preceded by the bidder's EIP-2612 permit
    ///         `permit(maxBid.bidder, this, permit.value, permit.deadline, permit.v, permit.r, permit.s)`
    ///         (typically `permit.value` = `maxAmount`), so a bidder without allowance and ETH needs only
    ///         off-chain signatures. The permit's failure is ignored, as in {bidBySigWithPermit}.
    function bidByMaxBidWithPermit(MaxBid calldata maxBid, bytes calldata signature, Permit calldata permit) external;

    /// @notice Resolves two bidders' maximums on the same auction in one transaction, instead of a war of
    ///         one-increment bids: the higher maximum `W` takes (or keeps) the lead at
    ///         `max(minNextBid, min(W.maxAmount, L.maxAmount + increment(L.maxAmount)))`, where `L` is the
    ///         other maximum and `increment(x) = ceil(x * minIncrementBps / 10000)` (so `L.maxAmount +
    ///         increment` is the minimum next bid had `L` bid its maximum). It emits {BidPlaced} and
    ///         {MaxBidUsed} (`againstMaxBidHash` = `L`'s digest when `L`'s maximum set the price).
    ///         Anyone may submit it.
    /// @dev Ties (equal maximums): the current leader keeps the lead if it is one of the two bidders
    ///      (it was there first, as on eBay); otherwise `first` wins. Either way the winner pays its own
    ///      maximum, which equals the other's.
    ///      If `W` already leads, its bid is raised (only the difference is pulled) when `L` could outbid
    ///      it, i.e. `L.maxAmount >= minNextBid`; otherwise the call reverts with {AlreadyLeading}.
    ///      If `L.maxAmount < minNextBid`, `L` is no competitor and `W` bids exactly `minNextBid`, as with
    ///      {bidByMaxBid}. `L`'s maximum only sets the price if its bidder can pay it: balance and
    ///      allowance must cover `L.maxAmount` (less `L`'s own escrowed bid if it leads), else
    ///      {MaxBidUnfunded} — a maximum that could not have been bid cannot push the price up.
    ///      Both authorizations are checked as in {bidByMaxBid}; also reverts with {AuctionMismatch},
    ///      {SameBidder}, and {MaxBidTooLow} when `W.maxAmount < minNextBid`.
    ///      Guarantees: nobody pays more than the other's maximum plus one increment (or minNextBid, if
    ///      higher), nobody pays above its own maximum, and the winner is the higher maximum.
    /// @param first One authorization (wins ties when neither bidder leads).
    /// @param firstSignature `first.bidder`'s signature over {hashMaxBid}(`first`).
    /// @param second The other bidder's authorization for the same auction.
    /// @param secondSignature `second.bidder`'s signature over {hashMaxBid}(`second`).
    function resolveMaxBids(
        MaxBid calldata first,
        bytes calldata firstSignature,
        MaxBid calldata second,
        bytes calldata secondSignature
    ) external;

    /// @notice Revokes the caller's {MaxBid} authorization with digest `maxBidHash` ({hashMaxBid}): it can
    ///         never be used again. Works while paused; revoking twice is a no-op. Emits {MaxBidRevoked}.
    /// @dev Revocations are recorded per bidder (`maxBidRevoked(bidder, maxBidHash)`), so an account can
    ///      only ever void its own authorizations, whatever hash it passes.
    function revokeMaxBid(bytes32 maxBidHash) external;

    /// @notice {revokeMaxBid} for `bidder`, authorised by its EIP-712 signature of
    ///         `MaxBidRevocation(address bidder,bytes32 maxBidHash)` (same domain; see
    ///         {MAX_BID_REVOCATION_TYPEHASH}) and submitted by anyone, e.g. the relayer, so revoking
    ///         is gasless. Replaying the signature is harmless (revocation is permanent and idempotent).
    /// @dev Reverts with {InvalidSignature} unless `signature` is `bidder`'s (ECDSA or ERC-1271).
    function revokeMaxBidBySig(address bidder, bytes32 maxBidHash, bytes calldata signature) external;

    // ---------------------------------------------------------------------------------------------
    // Settlement and refunds
    // ---------------------------------------------------------------------------------------------

    /// @notice Settles an ended auction: pays the highest bid to the treasury and emits
    ///         {AuctionSettled} (`winner` = address(0), `amount` = 0 without bids). Anyone, also while
    ///         paused. Reverts unless the auction is open and `block.timestamp >= endTime`.
    function settle(uint256 auctionId) external;

    /// @notice Settles every settleable auction in `auctionIds`, skipping (not reverting on) ids that
    ///         are unknown, not ended, already settled or cancelled. Pays the treasury the total in one
    ///         transfer. Anyone, also while paused.
    /// @return settledCount How many auctions this call settled.
    function settleMany(uint256[] calldata auctionIds) external returns (uint256 settledCount);

    /// @notice Transfers the caller's credited refunds (see {RefundCredited}) to the caller. Works while
    ///         paused. Emits {Withdrawn}.
    function withdraw() external;

    // ---------------------------------------------------------------------------------------------
    // Admin (DEFAULT_ADMIN_ROLE). No role can move escrowed tokens.
    // ---------------------------------------------------------------------------------------------

    /// @notice Sets the account that receives settled bids. Emits {TreasuryUpdated}. Reverts with
    ///         {ZeroAddress} for address(0) and {InvalidTreasury} for this contract.
    function setTreasury(address newTreasury) external;

    /// @notice Pauses {createAuction} and all bids. Settlement, cancel, withdraw and {invalidateNonce}
    ///         keep working.
    /// @dev The clock keeps running: auctions that end during the pause end on time, won by the highest
    ///      bid placed before it (see the contract-level notes on pausing).
    function pause() external;

    /// @notice Lifts {pause}.
    function unpause() external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice Smallest amount the next bid on `auctionId` must have: the reserve before the first
    ///         bid, otherwise `highestBid + ceil(highestBid * minIncrementBps / 10000)`.
    /// @dev Reverts with {AuctionNotFound} for unknown ids.
    function minNextBid(uint256 auctionId) external view returns (uint256);

    /// @notice The auction `auctionId` (all zero, status None, for unknown ids: 0, above {auctionCount}
    ///         or >= 2**64).
    function getAuction(uint256 auctionId) external view returns (Auction memory);

    /// @notice Refunds credited to `bidder` after a failed refund transfer, withdrawable with {withdraw}.
    function credits(address bidder) external view returns (uint256);

    /// @notice The ERC-20 bids are paid in (immutable).
    function token() external view returns (address);

    /// @notice The account that receives settled bids.
    function treasury() external view returns (address);

    /// @notice Whether new auctions and bids are paused.
    function paused() external view returns (bool);

    /// @notice Id of the most recently created auction (0 before the first).
    function auctionCount() external view returns (uint256);

    /// @notice The next nonce `bidder` must sign into a relayed {Bid}.
    function nonces(address bidder) external view returns (uint256);

    /// @notice `keccak256("Bid(address bidder,uint256 auctionId,uint96 amount,uint256 nonce,uint256 deadline)")`.
    // solhint-disable-next-line func-name-mixedcase
    function BID_TYPEHASH() external view returns (bytes32);

    /// @notice `keccak256("MaxBid(address bidder,uint256 auctionId,uint96 maxAmount,uint256 salt,uint256 deadline)")`.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_BID_TYPEHASH() external view returns (bytes32);

    /// @notice `keccak256("MaxBidRevocation(address bidder,bytes32 maxBidHash)")`.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_BID_REVOCATION_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 digest of `maxBid` (what its bidder signs): the authorization's identity for
    ///         revocation and in {MaxBidUsed} / {MaxBidRevoked}.
    function hashMaxBid(MaxBid calldata maxBid) external view returns (bytes32);

    /// @notice Whether `bidder` revoked its {MaxBid} authorization `maxBidHash`.
    function maxBidRevoked(address bidder, bytes32 maxBidHash) external view returns (bool);

    /// @notice `keccak256("LISTER_ROLE")`: may create and cancel auctions.
    // solhint-disable-next-line func-name-mixedcase
    function LISTER_ROLE() external view returns (bytes32);

    /// @notice The EIP-712 domain separator used for relayed bids.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice Upper bound on the gas given to the token when refunding an outbid bidder; a refund
    ///         that needs more (or reverts, or returns false) is credited instead.
    // solhint-disable-next-line func-name-mixedcase
    function REFUND_GAS_LIMIT() external view returns (uint256);
}
