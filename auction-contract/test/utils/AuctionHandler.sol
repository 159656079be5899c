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
    bytes32 internal constant MAX_BID_TYPEHASH =
        keccak256("MaxBid(address bidder,uint256 auctionId,uint96 maxAmount,uint256 salt,uint256 deadline)");
    bytes32 internal constant MAX_BID_REVOCATION_TYPEHASH =
        keccak256("MaxBidRevocation(address bidder,bytes32 maxBidHash)");
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

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
    /// @dev Set when a call with a never-created id did anything but revert with AuctionNotFound (or
    ///      EnforcedPause for a bid while paused), or changed any auction.
    bool public unknownIdAccepted;
    /// @dev Set when a bid placed under a MaxBid authorization broke its rules: above the maximum, not
    ///      exactly minNextBid (bidByMaxBid), placed while its bidder led without a competing maximum, a
    ///      resolution whose winner or price differs from eBay's rule, or a revoked authorization used.
    bool public maxBidRuleBroken;
    /// @dev Salt of the next MaxBid authorization the handler signs (each one is new).
    uint256 internal maxBidSalt;
    /// @dev Relayed bids that went through plus nonces invalidated, per bidder (= nonces(bidder)).
    mapping(address bidder => uint256) public ghostNoncesUsed;

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
        (ICommissaryAuction.Bid memory b, bytes memory sig) = _signedBid(i, id, amount);
        try auction.bidBySig(b, sig) {
            calls["bidBySig.ok"]++;
            ghostNoncesUsed[b.bidder]++;
        } catch {}
    }

    function bidWithPermit(uint256 idSeed, uint256 bidderSeed, uint96 extra) external record("bidWithPermit") {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        uint256 i = bidderSeed % bidders.length;
        uint96 amount = _amount(id, extra);
        if (amount == 0) return;
        ICommissaryAuction.Permit memory p = _permit(i);
        vm.prank(bidders[i]);
        try auction.bidWithPermit(id, amount, p.deadline, p.v, p.r, p.s) {
            calls["bidWithPermit.ok"]++;
        } catch {}
    }

    function bidBySigWithPermit(uint256 idSeed, uint256 bidderSeed, uint96 extra)
        external
        record("bidBySigWithPermit")
    {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        uint256 i = bidderSeed % bidders.length;
        uint96 amount = _amount(id, extra);
        if (amount == 0) return;
        (ICommissaryAuction.Bid memory b, bytes memory sig) = _signedBid(i, id, amount);
        try auction.bidBySigWithPermit(b, sig, _permit(i)) {
            calls["bidBySigWithPermit.ok"]++;
            ghostNoncesUsed[b.bidder]++;
        } catch {}
    }

    /// @dev A relayer bids under a fresh MaxBid authorization (sometimes with a permit): it must place
    ///      exactly minNextBid, within the maximum, and never while the bidder leads.
    function bidByMaxBid(uint256 idSeed, uint256 bidderSeed, uint96 extra, bool withPermit)
        external
        record("bidByMaxBid")
    {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        uint256 i = bidderSeed % bidders.length;
        uint96 maxAmount = _amount(id, extra);
        (ICommissaryAuction.MaxBid memory m, bytes memory sig) = _signedMaxBid(i, id, maxAmount);
        ICommissaryAuction.Auction memory before = auction.getAuction(id);
        uint256 minimum = before.status == ICommissaryAuction.Status.Open ? auction.minNextBid(id) : 0;
        bool ok;
        if (withPermit) {
            try auction.bidByMaxBidWithPermit(m, sig, _permit(i)) {
                ok = true;
            } catch {}
        } else {
            try auction.bidByMaxBid(m, sig) {
                ok = true;
            } catch {}
        }
        if (!ok) return;
        calls["bidByMaxBid.ok"]++;
        ICommissaryAuction.Auction memory afterwards = auction.getAuction(id);
        if (
            before.highestBidder == m.bidder || afterwards.highestBidder != m.bidder || afterwards.highestBid != minimum
                || minimum > maxAmount
        ) maxBidRuleBroken = true;
    }

    /// @dev A relayer resolves two bidders' fresh maximums on one auction; the outcome must follow
    ///      eBay's rule (see ResolveMaxBids.t.sol for the reference model).
    function resolveMaxBids(uint256 idSeed, uint256 seedA, uint256 seedB, uint96 extraA, uint96 extraB)
        external
        record("resolveMaxBids")
    {
        (bool exists, uint256 id) = _pickId(idSeed);
        if (!exists) return;
        uint256 i = seedA % bidders.length;
        uint256 j = (i + 1 + seedB % (bidders.length - 1)) % bidders.length;
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signedMaxBid(i, id, _amount(id, extraA));
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signedMaxBid(j, id, _amount(id, extraB));
        ICommissaryAuction.Auction memory before = auction.getAuction(id);
        try auction.resolveMaxBids(a, sa, b, sb) {
            calls["resolveMaxBids.ok"]++;
        } catch {
            return;
        }
        _checkResolution(id, before, a, b);
    }

    function _checkResolution(
        uint256 id,
        ICommissaryAuction.Auction memory before,
        ICommissaryAuction.MaxBid memory a,
        ICommissaryAuction.MaxBid memory b
    ) internal {
        uint256 floor = before.highestBidder == address(0)
            ? before.reservePrice
            : _raise(before.highestBid, before.minIncrementBps);
        bool aWins = a.maxAmount > b.maxAmount || (a.maxAmount == b.maxAmount && before.highestBidder != b.bidder);
        (ICommissaryAuction.MaxBid memory w, ICommissaryAuction.MaxBid memory l) = aWins ? (a, b) : (b, a);
        uint256 price = floor;
        if (l.maxAmount >= floor) {
            price = _raise(l.maxAmount, before.minIncrementBps);
            if (price > w.maxAmount) price = w.maxAmount;
        } else if (before.highestBidder == w.bidder) {
            maxBidRuleBroken = true; // raised its own lead with no competitor
        }
        ICommissaryAuction.Auction memory afterwards = auction.getAuction(id);
        if (afterwards.highestBidder != w.bidder || afterwards.highestBid != price || price > w.maxAmount) {
            maxBidRuleBroken = true;
        }
    }

    /// @dev A bidder revokes a MaxBid authorization (itself, or by a signature the relayer submits);
    ///      the authorization must then be refused.
    function revokeMaxBid(uint256 bidderSeed, uint256 idSeed, bool bySig) external record("revokeMaxBid") {
        uint256 i = bidderSeed % bidders.length;
        (bool exists, uint256 id) = _pickId(idSeed);
        (ICommissaryAuction.MaxBid memory m, bytes memory sig) = _signedMaxBid(i, exists ? id : 1, type(uint96).max);
        bytes32 h = auction.hashMaxBid(m);
        if (bySig) {
            bytes32 digest = keccak256(
                abi.encodePacked(
                    "\x19\x01",
                    auction.DOMAIN_SEPARATOR(),
                    keccak256(abi.encode(MAX_BID_REVOCATION_TYPEHASH, m.bidder, h))
                )
            );
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(bidderKeys[i], digest);
            auction.revokeMaxBidBySig(m.bidder, h, abi.encodePacked(r, s, v));
        } else {
            vm.prank(m.bidder);
            auction.revokeMaxBid(h);
        }
        try auction.bidByMaxBid(m, sig) {
            maxBidRuleBroken = true;
        } catch (bytes memory reason) {
            if (
                keccak256(reason)
                    != keccak256(abi.encodeWithSelector(ICommissaryAuction.AuthorizationRevoked.selector, h))
            ) {
                maxBidRuleBroken = true;
            }
        }
    }

    /// @dev A bidder revokes its signed bids; a bid signed before that must then fail.
    function invalidateNonce(uint256 bidderSeed, uint256 idSeed) external record("invalidateNonce") {
        uint256 i = bidderSeed % bidders.length;
        (bool exists, uint256 id) = _pickId(idSeed);
        (ICommissaryAuction.Bid memory b, bytes memory sig) = _signedBid(i, exists ? id : 1, 1);
        vm.prank(bidders[i]);
        auction.invalidateNonce();
        ghostNoncesUsed[bidders[i]]++;
        try auction.bidBySig(b, sig) {
            unknownIdAccepted = true; // a revoked signature went through
        } catch {}
    }

    /// @dev Calls every entry point with an id that was never created (including aliases of real ids).
    function unknownId(uint256 idSeed, uint256 kind, uint256 bidderSeed) external record("unknownId") {
        uint256 n = auction.auctionCount();
        uint256 real = n == 0 ? 1 : 1 + idSeed % n;
        uint256[6] memory forged =
            [real + 2 ** 255, real + 2 ** 128, 2 ** 64 + idSeed % 2 ** 64, n + 1, 0, idSeed | 2 ** 64];
        uint256 x = forged[kind % 6];
        bytes32 before = _allAuctions();
        bytes memory notFound = abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, x);
        uint256 i = bidderSeed % bidders.length;
        bool paused = auction.paused();
        bytes memory bidReason = paused ? abi.encodeWithSelector(ICommissaryAuction.EnforcedPause.selector) : notFound;

        vm.prank(bidders[i]);
        try auction.bid(x, 1e18) {
            unknownIdAccepted = true;
        } catch (bytes memory reason) {
            _expect(reason, bidReason);
        }
        (ICommissaryAuction.Bid memory b, bytes memory sig) = _signedBid(i, x, 1e18);
        try auction.bidBySig(b, sig) {
            unknownIdAccepted = true;
        } catch (bytes memory reason) {
            _expect(reason, bidReason);
        }
        (ICommissaryAuction.MaxBid memory m, bytes memory msig) = _signedMaxBid(i, x, type(uint96).max);
        try auction.bidByMaxBid(m, msig) {
            unknownIdAccepted = true;
        } catch (bytes memory reason) {
            _expect(reason, bidReason);
        }
        try auction.settle(x) {
            unknownIdAccepted = true;
        } catch (bytes memory reason) {
            _expect(reason, notFound);
        }
        vm.prank(admin);
        try auction.cancel(x) {
            unknownIdAccepted = true;
        } catch (bytes memory reason) {
            _expect(reason, notFound);
        }
        try auction.minNextBid(x) {
            unknownIdAccepted = true;
        } catch (bytes memory reason) {
            _expect(reason, notFound);
        }
        uint256[] memory ids = new uint256[](1);
        ids[0] = x;
        if (auction.settleMany(ids) != 0) unknownIdAccepted = true;
        if (auction.getAuction(x).status != ICommissaryAuction.Status.None) unknownIdAccepted = true;
        if (_allAuctions() != before) unknownIdAccepted = true;
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

    function _expect(bytes memory reason, bytes memory expected) internal {
        if (keccak256(reason) != keccak256(expected)) unknownIdAccepted = true;
    }

    function _allAuctions() internal view returns (bytes32 h) {
        uint256 n = auction.auctionCount();
        for (uint256 id = 1; id <= n; id++) {
            h = keccak256(abi.encode(h, auction.getAuction(id)));
        }
        h = keccak256(abi.encode(h, token.balanceOf(address(auction))));
    }

    function _signedBid(uint256 i, uint256 id, uint96 amount)
        internal
        view
        returns (ICommissaryAuction.Bid memory b, bytes memory sig)
    {
        b = ICommissaryAuction.Bid({
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
        sig = abi.encodePacked(r, s, v);
    }

    /// @dev A fresh (new salt) MaxBid authorization of bidder `i`, valid for this block.
    function _signedMaxBid(uint256 i, uint256 id, uint96 maxAmount)
        internal
        returns (ICommissaryAuction.MaxBid memory m, bytes memory sig)
    {
        m = ICommissaryAuction.MaxBid({
            bidder: bidders[i], auctionId: id, maxAmount: maxAmount, salt: maxBidSalt++, deadline: block.timestamp
        });
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                auction.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(MAX_BID_TYPEHASH, m.bidder, m.auctionId, m.maxAmount, m.salt, m.deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(bidderKeys[i], digest);
        sig = abi.encodePacked(r, s, v);
    }

    function _raise(uint256 highest, uint256 bps) internal pure returns (uint256) {
        return highest + (highest * bps + 9999) / 10_000;
    }

    /// @dev A max-allowance permit for bidder `i` (keeps later direct bids funded).
    function _permit(uint256 i) internal view returns (ICommissaryAuction.Permit memory p) {
        p.value = type(uint256).max;
        p.deadline = block.timestamp;
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(
                    abi.encode(
                        PERMIT_TYPEHASH, bidders[i], address(auction), p.value, token.nonces(bidders[i]), p.deadline
                    )
                )
            )
        );
        (p.v, p.r, p.s) = vm.sign(bidderKeys[i], digest);
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
