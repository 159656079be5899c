// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {AmpledToken} from "../../src/AmpledToken.sol";
import {CommissaryAuction} from "../../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../../src/interfaces/ICommissaryAuction.sol";

/// @notice Shared fixture: a deployed $AMPLED + auction, funded bidders with max allowance, helpers
///         to create auctions, bid, and sign relayed bids and permits.
abstract contract AuctionFixture is Test {
    uint40 internal constant T0 = 1_767_225_600; // 2026-01-01T00:00:00Z
    uint96 internal constant RESERVE = 100e18;
    uint16 internal constant BPS = 500; // 5%
    uint32 internal constant WINDOW = 10 minutes;
    uint40 internal constant DURATION = 7 days;
    uint256 internal constant FUNDS = 1_000_000e18;

    bytes32 internal constant BID_TYPEHASH =
        keccak256("Bid(address bidder,uint256 auctionId,uint96 amount,uint256 nonce,uint256 deadline)");
    bytes32 internal constant MAX_BID_TYPEHASH =
        keccak256("MaxBid(address bidder,uint256 auctionId,uint96 maxAmount,uint256 salt,uint256 deadline)");
    bytes32 internal constant MAX_BID_REVOCATION_TYPEHASH =
        keccak256("MaxBidRevocation(address bidder,bytes32 maxBidHash)");
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    AmpledToken internal token;
    CommissaryAuction internal auction;

    address internal admin = makeAddr("admin");
    address internal lister = makeAddr("lister");
    address internal treasury = makeAddr("treasury");
    address internal relayer = makeAddr("relayer");
    address internal alice;
    uint256 internal alicePk;
    address internal bob;
    uint256 internal bobPk;
    address internal carol;
    uint256 internal carolPk;

    bytes32 internal listerRole;

    function setUp() public virtual {
        vm.warp(T0);
        (alice, alicePk) = makeAddrAndKey("alice");
        (bob, bobPk) = makeAddrAndKey("bob");
        (carol, carolPk) = makeAddrAndKey("carol");

        token = new AmpledToken(admin);
        auction = new CommissaryAuction(address(token), treasury, admin);
        listerRole = auction.LISTER_ROLE();
        vm.prank(admin);
        auction.grantRole(listerRole, lister);

        _fund(IERC20(address(token)), alice);
        _fund(IERC20(address(token)), bob);
        _fund(IERC20(address(token)), carol);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    /// @dev Mints FUNDS of `t` (AmpledToken or a mock with `mint`) to `who` and approves `auction`.
    function _fund(IERC20 t, address who) internal {
        _fundFor(t, who, address(auction));
    }

    function _fundFor(IERC20 t, address who, address spender) internal {
        if (address(t) == address(token)) {
            vm.prank(admin);
            token.mint(who, FUNDS);
        } else {
            (bool ok,) = address(t).call(abi.encodeWithSignature("mint(address,uint256)", who, FUNDS));
            require(ok, "mint failed");
        }
        vm.prank(who);
        (bool approved,) = address(t).call(abi.encodeWithSelector(IERC20.approve.selector, spender, type(uint256).max));
        require(approved, "approve failed");
    }

    /// @dev A standard auction: starts now, ends in DURATION, RESERVE, BPS, WINDOW.
    function _create() internal returns (uint256) {
        return _createOn(auction);
    }

    function _createOn(CommissaryAuction a) internal returns (uint256) {
        vm.prank(lister);
        return a.createAuction(keccak256("listing"), RESERVE, uint40(block.timestamp), _end(), BPS, WINDOW);
    }

    function _createWith(uint96 reserve, uint40 start, uint40 end, uint16 bps, uint32 window)
        internal
        returns (uint256)
    {
        vm.prank(lister);
        return auction.createAuction(keccak256("listing"), reserve, start, end, bps, window);
    }

    function _end() internal view returns (uint40) {
        return uint40(block.timestamp) + DURATION;
    }

    function _bid(address who, uint256 id, uint96 amount) internal {
        vm.prank(who);
        auction.bid(id, amount);
    }

    function _get(uint256 id) internal view returns (ICommissaryAuction.Auction memory) {
        return auction.getAuction(id);
    }

    function _warpToEnd(uint256 id) internal {
        vm.warp(_get(id).endTime);
    }

    function _bidDigest(CommissaryAuction a, ICommissaryAuction.Bid memory b) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(BID_TYPEHASH, b.bidder, b.auctionId, b.amount, b.nonce, b.deadline));
        return keccak256(abi.encodePacked("\x19\x01", a.DOMAIN_SEPARATOR(), structHash));
    }

    function _signBid(uint256 pk, ICommissaryAuction.Bid memory b) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, _bidDigest(auction, b));
        return abi.encodePacked(r, s, v);
    }

    function _newBid(address bidder, uint256 id, uint96 amount) internal view returns (ICommissaryAuction.Bid memory) {
        return ICommissaryAuction.Bid({
            bidder: bidder,
            auctionId: id,
            amount: amount,
            nonce: auction.nonces(bidder),
            deadline: block.timestamp + 1 hours
        });
    }

    function _signPermit(uint256 pk, address owner, uint256 value, uint256 deadline)
        internal
        view
        returns (ICommissaryAuction.Permit memory p)
    {
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(auction), value, token.nonces(owner), deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (p.v, p.r, p.s) = vm.sign(pk, digest);
        p.value = value;
        p.deadline = deadline;
    }

    /// @dev A {MaxBid} authorization valid for 30 days (longer than an auction).
    function _newMaxBid(address bidder, uint256 id, uint96 maxAmount)
        internal
        view
        returns (ICommissaryAuction.MaxBid memory)
    {
        return ICommissaryAuction.MaxBid({
            bidder: bidder, auctionId: id, maxAmount: maxAmount, salt: 0, deadline: block.timestamp + 30 days
        });
    }

    /// @dev EIP-712 digest of `m` for auction contract `a`, computed independently of the contract.
    function _maxBidDigest(CommissaryAuction a, ICommissaryAuction.MaxBid memory m) internal view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(MAX_BID_TYPEHASH, m.bidder, m.auctionId, m.maxAmount, m.salt, m.deadline));
        return keccak256(abi.encodePacked("\x19\x01", a.DOMAIN_SEPARATOR(), structHash));
    }

    function _signMaxBid(uint256 pk, ICommissaryAuction.MaxBid memory m) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, _maxBidDigest(auction, m));
        return abi.encodePacked(r, s, v);
    }

    /// @dev `bidder`'s signed `MaxBidRevocation` of `maxBidHash` for `auction`.
    function _signRevocation(uint256 pk, address bidder, bytes32 maxBidHash) internal view returns (bytes memory) {
        bytes32 structHash = keccak256(abi.encode(MAX_BID_REVOCATION_TYPEHASH, bidder, maxBidHash));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", auction.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Minimum next bid over `highest` (the contract's rounding: up).
    function _raise(uint256 highest, uint256 bps) internal pure returns (uint256) {
        return highest + (highest * bps + 9999) / 10_000;
    }

    /// @dev Sum of every live (open, with a bidder) highest bid over ids 1..auctionCount.
    function _liveBids(CommissaryAuction a) internal view returns (uint256 sum) {
        uint256 n = a.auctionCount();
        for (uint256 id = 1; id <= n; id++) {
            ICommissaryAuction.Auction memory x = a.getAuction(id);
            if (x.status == ICommissaryAuction.Status.Open) sum += x.highestBid;
        }
    }
}
