// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {Test} from "forge-std/Test.sol";

import {CommissaryAuction} from "../../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../../src/interfaces/ICommissaryAuction.sol";
import {HostileToken} from "./mocks/MockTokens.sol";

/// @notice Drives the auction with random but valid-looking actions for the invariant tests, and
///         keeps ghost state the invariants compare against. The token is a standard ERC-20 that can
///         refuse transfers to chosen bidders, so refunds sometimes fail and become credits.
contract AuctionHandler is Test {
    bytes32 internal constant BID_TYPEHASH =
        keccak256("Bid(address bidder,uint256 auctionId,uint96 amount,uint256 nonce,uint256 deadline)");

    CommissaryAuction public immutable auction;
    HostileToken public immutable token;
    address public immutable admin;
    address public immutable treasury;

    address[] public bidders;
    uint256[] internal bidderKeys;

    // ghost state
    mapping(uint256 id => uint256) public settleCount;
    mapping(uint256 id => uint256) internal maxBidSeen;
    mapping(uint256 id => bytes32) internal closedSnapshot;
    bool public highestBidDecreased;
    bool public closedAuctionChanged;
    uint256 public ghostSettledTotal; // sum of winning bids paid to the treasury
    mapping(bytes32 => uint256) public calls;
    mapping(bytes4 selector => uint256) public bidErrors; // why direct bids were rejected (for debugging)

    constructor(CommissaryAuction auction_, HostileToken token_, address admin_, address treasury_) {
        auction = auction_;
        token = token_;
        admin = admin_;
        treasury = treasury_;
        for (uint256 i = 0; i < 4; i++) {
            (address who, uint256 pk) = makeAddrAndKey(string.concat("bidder", vm.toString(i)));
            bidders.push(who);
            bidderKeys.push(pk);
            token.mint(who, 1e30);
            vm.prank(who);
            token.approve(address(auction), type(uint256).max);
        }
    }

    function bidderCount() external view returns (uint256) {
        return bidders.length;
    }

    // ---------------------------------------------------------------------------------------------
    // Actions
    // ---------------------------------------------------------------------------------------------

    function createAuction(uint96 reserve, uint32 startDelay, uint32 duration, uint16 bps, uint32 window)
        external
        record("createAuction")
    {
        if (auction.paused()) return;
        reserve = uint96(bound(reserve, 1, 1e24));
        // Half of the auctions start right away, the rest within the hour.
        uint40 start = uint40(block.timestamp + (startDelay % 2 == 0 ? 0 : bound(startDelay, 0, 1 hours)));
        uint40 end = start + uint40(bound(duration, 1, 3 days));
        bps = uint16(bound(bps, 1, 10_000));
        window = uint32(bound(window, 0, 1 days));
        vm.prank(admin);
        auction.createAuction(keccak256(abi.encode(block.timestamp, reserve)), reserve, start, end, bps, window);
    }

    function bid(uint256 idSeed, uint256 bidderSeed, uint96 extra) external record("bid") {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        address who = bidders[bidderSeed % bidders.length];
        uint96 amount = _amount(id, extra);
        if (amount == 0) return;
        vm.prank(who);
        try auction.bid(id, amount) {
            calls["bid.ok"]++;
        } catch (bytes memory reason) {
            bidErrors[bytes4(reason)]++;
        }
    }

    function bidBySig(uint256 idSeed, uint256 bidderSeed, uint96 extra) external record("bidBySig") {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        uint256 i = bidderSeed % bidders.length;
        uint96 amount = _amount(id, extra);
        if (amount == 0) return;
        ICommissaryAuction.Bid memory b = ICommissaryAuction.Bid({
            bidder: bidders[i],
            auctionId: id,
            amount: amount,
            nonce: auction.nonces(bidders[i]),
            deadline: block.timestamp
        });
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                auction.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(BID_TYPEHASH, b.bidder, b.auctionId, b.amount, b.nonce, b.deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(bidderKeys[i], digest);
        try auction.bidBySig(b, abi.encodePacked(r, s, v)) {
            calls["bidBySig.ok"]++;
        } catch {}
    }

    function settle(uint256 idSeed) external record("settle") {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        ICommissaryAuction.Auction memory a = auction.getAuction(id);
        try auction.settle(id) {
            settleCount[id]++;
            ghostSettledTotal += a.highestBid;
        } catch {}
    }

    function settleMany(uint256 seedA, uint256 seedB, uint256 seedC) external record("settleMany") {
        uint256 n = auction.auctionCount();
        if (n == 0) return;
        uint256[] memory ids = new uint256[](4);
        ids[0] = seedA % (n + 2); // may be 0 or unknown
        ids[1] = seedB % (n + 1);
        ids[2] = seedC % (n + 1);
        ids[3] = ids[1]; // duplicate
        ICommissaryAuction.Status[] memory before = new ICommissaryAuction.Status[](4);
        uint96[] memory bids = new uint96[](4);
        for (uint256 i = 0; i < 4; i++) {
            ICommissaryAuction.Auction memory a = auction.getAuction(ids[i]);
            before[i] = a.status;
            bids[i] = a.highestBid;
        }
        uint256 settled = auction.settleMany(ids);
        uint256 transitions;
        for (uint256 i = 0; i < 4; i++) {
            bool seen;
            for (uint256 j = 0; j < i; j++) {
                if (ids[j] == ids[i]) seen = true;
            }
            if (seen) continue;
            if (
                before[i] == ICommissaryAuction.Status.Open
                    && auction.getAuction(ids[i]).status == ICommissaryAuction.Status.Settled
            ) {
                settleCount[ids[i]]++;
                ghostSettledTotal += bids[i];
                transitions++;
            }
        }
        require(settled == transitions, "settleMany count");
    }

    function cancel(uint256 idSeed) external record("cancel") {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        vm.prank(admin);
        try auction.cancel(id) {} catch {}
    }

    function withdraw(uint256 bidderSeed) external record("withdraw") {
        address who = bidders[bidderSeed % bidders.length];
        vm.prank(who);
        try auction.withdraw() {} catch {}
    }

    function toggleBlocked(uint256 bidderSeed) external record("toggleBlocked") {
        address who = bidders[bidderSeed % bidders.length];
        token.setBlocked(who, !token.blocked(who));
    }

    function setMode(uint8 mode) external record("setMode") {
        token.setMode(HostileToken.Mode(bound(mode, 0, 4)));
    }

    /// @dev Unpauses if paused; otherwise pauses one time in eight.
    function togglePause(uint8 seed) external record("togglePause") {
        vm.startPrank(admin);
        if (auction.paused()) auction.unpause();
        else if (seed % 8 == 0) auction.pause();
        vm.stopPrank();
    }

    function warp(uint32 secs) external record("warp") {
        vm.warp(block.timestamp + bound(secs, 1, 12 hours));
    }

    // ---------------------------------------------------------------------------------------------
    // Ghost bookkeeping
    // ---------------------------------------------------------------------------------------------

    modifier record(bytes32 name) {
        calls[name]++;
        _;
        _afterAction();
    }

    function _afterAction() internal {
        uint256 n = auction.auctionCount();
        for (uint256 id = 1; id <= n; id++) {
            ICommissaryAuction.Auction memory a = auction.getAuction(id);
            if (a.highestBid < maxBidSeen[id]) highestBidDecreased = true;
            if (a.highestBid > maxBidSeen[id]) maxBidSeen[id] = a.highestBid;
            if (a.status == ICommissaryAuction.Status.Settled || a.status == ICommissaryAuction.Status.Cancelled) {
                bytes32 snap = keccak256(abi.encode(a));
                if (closedSnapshot[id] == 0) closedSnapshot[id] = snap;
                else if (closedSnapshot[id] != snap) closedAuctionChanged = true;
            }
        }
    }

    function _pickId(uint256 seed) internal view returns (bool, uint256) {
        uint256 n = auction.auctionCount();
        if (n == 0) return (false, 0);
        return (true, 1 + seed % n);
    }

    /// @dev A bid amount around minNextBid: sometimes just below (rejected), mostly at or above.
    function _amount(uint256 id, uint96 extra) internal view returns (uint96) {
        ICommissaryAuction.Auction memory a = auction.getAuction(id);
        if (a.status != ICommissaryAuction.Status.Open) return 0;
        uint256 minimum = auction.minNextBid(id);
        uint256 amount = minimum + bound(extra, 0, 1e24);
        if (extra % 10 == 0 && minimum > 1) amount = minimum - 1;
        if (amount > type(uint96).max) return 0;
        return uint96(amount);
    }
}
