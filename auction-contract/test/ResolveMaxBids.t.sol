// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";

/// @notice resolveMaxBids: two maximums settled in one transaction by eBay's rule, against a reference
///         model; and a "rogue relayer" that calls every max-bid entry point in any order.
contract ResolveMaxBidsTest is AuctionFixture {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = _create(); // reserve 100, +5%
    }

    function _signed(address who, uint256 pk, uint256 auctionId, uint96 maxAmount)
        internal
        view
        returns (ICommissaryAuction.MaxBid memory m, bytes memory sig)
    {
        m = _newMaxBid(who, auctionId, maxAmount);
        sig = _signMaxBid(pk, m);
    }

    function _resolve(
        ICommissaryAuction.MaxBid memory a,
        bytes memory sa,
        ICommissaryAuction.MaxBid memory b,
        bytes memory sb
    ) internal {
        vm.prank(relayer);
        auction.resolveMaxBids(a, sa, b, sb);
    }

    // --- the rule ------------------------------------------------------------------------------------

    function test_resolveMaxBids_higherMaximumLeadsAtOtherMaximumPlusIncrement() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 bobBefore = token.balanceOf(bob);

        (bytes32 ha, bytes32 hb) = (auction.hashMaxBid(a), auction.hashMaxBid(b));
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.MaxBidUsed(id, alice, ha, 210e18, hb);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, 210e18, T0 + DURATION);
        _resolve(a, sa, b, sb);

        assertEq(_get(id).highestBidder, alice);
        assertEq(_get(id).highestBid, 210e18); // 200 + 5%
        assertEq(token.balanceOf(alice), aliceBefore - 210e18);
        assertEq(token.balanceOf(bob), bobBefore); // bob never paid
    }

    function test_resolveMaxBids_priceCappedAtWinnersMaximum() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 205e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        _resolve(a, sa, b, sb);
        assertEq(_get(id).highestBidder, alice);
        assertEq(_get(id).highestBid, 205e18);
    }

    function test_resolveMaxBids_placesTheOthersBidWhenItsMaximumIsHigher() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 200e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 300e18);
        (bytes32 ha, bytes32 hb) = (auction.hashMaxBid(a), auction.hashMaxBid(b));
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.MaxBidUsed(id, bob, hb, 210e18, ha);
        _resolve(a, sa, b, sb);
        assertEq(_get(id).highestBidder, bob);
        assertEq(_get(id).highestBid, 210e18);
    }

    function test_resolveMaxBids_outbidsTheOtherAndRefundsIt() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        auction.bidByMaxBid(b, sb); // bob leads at 100
        uint256 bobBefore = token.balanceOf(bob);
        _resolve(a, sa, b, sb);
        assertEq(_get(id).highestBidder, alice);
        assertEq(_get(id).highestBid, 210e18);
        assertEq(token.balanceOf(bob), bobBefore + RESERVE);
        assertEq(token.balanceOf(address(auction)), 210e18);
    }

    function test_resolveMaxBids_raisesTheLeaderWhenTheOtherCouldOutbidIt() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        auction.bidByMaxBid(a, sa); // alice leads at 100
        uint256 aliceBefore = token.balanceOf(alice);
        _resolve(b, sb, a, sa); // order does not matter
        assertEq(_get(id).highestBidder, alice);
        assertEq(_get(id).highestBid, 210e18);
        assertEq(token.balanceOf(alice), aliceBefore - 110e18); // only the difference
    }

    function test_resolveMaxBids_revertsWhenTheLeaderIsNotThreatened() public {
        _bid(carol, id, 200e18);
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 215e18);
        _resolve(a, sa, b, sb); // alice 210 (bob's 215 >= min next 210): alice at min(300, 215 + 10.75)
        assertEq(_get(id).highestBid, 225.75e18);
        // bob's 215 can no longer reach the min next bid: nothing forces alice higher
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AlreadyLeading.selector, id, alice));
        _resolve(a, sa, b, sb);
    }

    function test_resolveMaxBids_otherBelowMinimumMeansAPlainMinimumBid() public {
        _bid(carol, id, 200e18); // min next 210
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 209e18);
        bytes32 ha = auction.hashMaxBid(a);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.MaxBidUsed(id, alice, ha, 210e18, bytes32(0));
        _resolve(a, sa, b, sb);
        assertEq(_get(id).highestBid, 210e18); // not 209 + 5%
    }

    function test_resolveMaxBids_revertsWhenBothMaximumsBelowMinimum() public {
        _bid(carol, id, 200e18);
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 209e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 208e18);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.MaxBidTooLow.selector, id, 209e18, 210e18));
        _resolve(a, sa, b, sb);
    }

    function test_resolveMaxBids_tieGoesToTheCurrentLeader() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 250e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 250e18);
        auction.bidByMaxBid(b, sb); // bob leads (was first)
        _resolve(a, sa, b, sb); // alice listed first, but bob leads
        assertEq(_get(id).highestBidder, bob);
        assertEq(_get(id).highestBid, 250e18);
    }

    function test_resolveMaxBids_tieWithoutLeaderGoesToFirst() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 250e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 250e18);
        _resolve(b, sb, a, sa);
        assertEq(_get(id).highestBidder, bob);
        assertEq(_get(id).highestBid, 250e18);
    }

    function test_resolveMaxBids_extendsInTheSoftCloseWindow() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        vm.warp(T0 + DURATION - 1);
        _resolve(a, sa, b, sb);
        assertEq(_get(id).endTime, T0 + DURATION - 1 + WINDOW);
    }

    function test_resolveMaxBids_refundsAThirdPartyLeader() public {
        _bid(carol, id, 150e18);
        uint256 carolBefore = token.balanceOf(carol);
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        _resolve(a, sa, b, sb);
        assertEq(token.balanceOf(carol), carolBefore + 150e18);
        assertEq(_get(id).highestBid, 210e18);
    }

    // --- refusals --------------------------------------------------------------------------------------

    function test_resolveMaxBids_revertsForDifferentAuctions() public {
        uint256 other = _create();
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, other, 200e18);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionMismatch.selector, id, other));
        _resolve(a, sa, b, sb);
    }

    function test_resolveMaxBids_revertsForTheSameBidder() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        ICommissaryAuction.MaxBid memory a2 = _newMaxBid(alice, id, 200e18);
        a2.salt = 7;
        bytes memory sa2 = _signMaxBid(alicePk, a2);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.SameBidder.selector, alice));
        _resolve(a, sa, a2, sa2);
    }

    function test_resolveMaxBids_revertsWhenTheOtherIsRevoked() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        bytes32 h = auction.hashMaxBid(b);
        vm.prank(bob);
        auction.revokeMaxBid(h);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuthorizationRevoked.selector, h));
        _resolve(a, sa, b, sb);
    }

    function test_resolveMaxBids_revertsWhenTheOtherExpired() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        ICommissaryAuction.MaxBid memory b = _newMaxBid(bob, id, 200e18);
        b.deadline = block.timestamp + 10;
        bytes memory sb = _signMaxBid(bobPk, b);
        vm.warp(block.timestamp + 11);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.SignatureExpired.selector, b.deadline));
        _resolve(a, sa, b, sb);
    }

    function test_resolveMaxBids_revertsWhenTheOtherIsForged() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        // a "bob" maximum signed by alice's relayer-side accomplice (carol), not by bob
        ICommissaryAuction.MaxBid memory b = _newMaxBid(bob, id, 290e18);
        bytes memory sb = _signMaxBid(carolPk, b);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        _resolve(a, sa, b, sb);
        vm.chainId(block.chainid + 1);
        (ICommissaryAuction.MaxBid memory b2, bytes memory sb2) = _signed(bob, bobPk, id, 290e18);
        vm.chainId(block.chainid - 1);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        _resolve(a, sa, b2, sb2);
    }

    function test_resolveMaxBids_revertsWhenTheOthersMaximumIsUnfunded() public {
        (address eve, uint256 evePk) = makeAddrAndKey("eve"); // no tokens at all
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory e, bytes memory se) = _signed(eve, evePk, id, 290e18);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.MaxBidUnfunded.selector, eve, 290e18));
        _resolve(a, sa, e, se);
        // funded but not approved: still unfunded
        vm.prank(admin);
        token.mint(eve, 290e18);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.MaxBidUnfunded.selector, eve, 290e18));
        _resolve(a, sa, e, se);
        vm.prank(eve);
        token.approve(address(auction), 290e18);
        _resolve(a, sa, e, se);
        assertEq(_get(id).highestBid, 300e18); // min(300, 290 + 14.5)
    }

    function test_resolveMaxBids_leadersEscrowedBidCountsAsFunds() public {
        (address eve, uint256 evePk) = makeAddrAndKey("eve");
        vm.prank(admin);
        token.mint(eve, 200e18);
        vm.prank(eve);
        token.approve(address(auction), type(uint256).max);
        (ICommissaryAuction.MaxBid memory e, bytes memory se) = _signed(eve, evePk, id, 250e18);
        auction.bidByMaxBid(e, se); // eve escrows 100, keeps 100: 100 + 100 < 250
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.MaxBidUnfunded.selector, eve, 250e18));
        _resolve(a, sa, e, se);
        vm.prank(admin);
        token.mint(eve, 50e18); // 100 escrowed + 150 held = 250
        _resolve(a, sa, e, se);
        assertEq(_get(id).highestBid, 262.5e18);
    }

    function test_resolveMaxBids_revertsWhenPausedOrEnded() public {
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, id, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, id, 200e18);
        vm.prank(admin);
        auction.pause();
        vm.expectRevert(ICommissaryAuction.EnforcedPause.selector);
        _resolve(a, sa, b, sb);
        vm.prank(admin);
        auction.unpause();
        _warpToEnd(id);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionEnded.selector, id, T0 + DURATION));
        _resolve(a, sa, b, sb);
    }

    function test_resolveMaxBids_revertsForUnknownIds() public {
        uint256 x = id + 2 ** 255;
        (ICommissaryAuction.MaxBid memory a, bytes memory sa) = _signed(alice, alicePk, x, 300e18);
        (ICommissaryAuction.MaxBid memory b, bytes memory sb) = _signed(bob, bobPk, x, 200e18);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, x));
        _resolve(a, sa, b, sb);
    }

    // --- reference model: eBay's rule ----------------------------------------------------------------

    /// @dev eBay's proxy-bidding outcome for two maximums `maxA` (listed first) and `maxB`, given the
    ///      auction's state: `floor` = the smallest acceptable bid now (reserve, or standing bid plus one
    ///      increment), `leader` = 0 (nobody / a third party), 1 (A leads) or 2 (B leads).
    ///      Returns (0, 0) when nothing happens (no change is forced), else the winner (1 or 2) and price.
    ///      The price is the second-highest maximum plus one increment at that level, never less than
    ///      the floor and never more than the winner's maximum; a maximum below the floor cannot bid and
    ///      does not count. Equal maximums: the earlier bidder (the leader) wins, else A.
    function _ebay(uint256 maxA, uint256 maxB, uint256 floor, uint256 bps, uint256 leader)
        internal
        pure
        returns (uint256 winner, uint256 price)
    {
        bool aCounts = maxA >= floor;
        bool bCounts = maxB >= floor;
        if (!aCounts && !bCounts) return (0, 0);
        if (aCounts && bCounts) {
            if (maxA > maxB) winner = 1;
            else if (maxB > maxA) winner = 2;
            else winner = leader == 2 ? 2 : 1;
            uint256 second = winner == 1 ? maxB : maxA;
            uint256 top = winner == 1 ? maxA : maxB;
            uint256 increment = (second * bps + 9999) / 10_000;
            price = second + increment < top ? second + increment : top;
            return (winner, price);
        }
        // One bidder only: it bids the floor, unless it already leads (then nothing is forced).
        winner = aCounts ? 1 : 2;
        if (leader == winner) return (0, 0);
        return (winner, floor);
    }

    function testFuzz_resolveMaxBids_matchesEbayRule(
        uint96 maxA,
        uint96 maxB,
        uint96 reserve,
        uint16 bps,
        uint8 leaderKind,
        uint96 standing
    ) public {
        reserve = uint96(bound(reserve, 1, 1e22));
        bps = uint16(bound(bps, 1, 10_000));
        maxA = uint96(bound(maxA, 0, 3e22));
        maxB = uint96(bound(maxB, 0, 3e22));
        uint256 a = _createWith(reserve, uint40(block.timestamp), _end(), bps, WINDOW);
        // Starting state: no bid, a third party's bid, or A or B leading at `standing`.
        uint256 leader = leaderKind % 4;
        standing = uint96(bound(standing, reserve, 2e22));
        if (leader == 1 && maxA >= standing) _bid(alice, a, standing);
        else if (leader == 2 && maxB >= standing) _bid(bob, a, standing);
        else if (leader == 3) _bid(carol, a, standing);
        _checkAgainstEbay(a, maxA, maxB, bps);
    }

    function _checkAgainstEbay(uint256 a, uint96 maxA, uint96 maxB, uint256 bps) internal {
        ICommissaryAuction.Auction memory before = _get(a);
        uint256 leaderCode = before.highestBidder == alice ? 1 : before.highestBidder == bob ? 2 : 0;
        (uint256 winner, uint256 price) = _ebay(maxA, maxB, auction.minNextBid(a), bps, leaderCode);
        (bool ok, bytes memory reason) = _tryResolve(a, maxA, maxB);
        if (ok) {
            assertTrue(winner != 0, "resolved although eBay forces no change");
            ICommissaryAuction.Auction memory afterwards = _get(a);
            assertEq(afterwards.highestBidder, winner == 1 ? alice : bob, "winner");
            assertEq(afterwards.highestBid, price, "price");
            // Nobody above its own maximum; the loser's maximum can no longer bid.
            assertLe(afterwards.highestBid, winner == 1 ? maxA : maxB);
            assertGt(auction.minNextBid(a), winner == 1 ? maxB : maxA);
            // Tokens: the winner has exactly the price in escrow, the loser nothing.
            assertEq(token.balanceOf(address(auction)), price);
            assertEq(token.balanceOf(winner == 1 ? alice : bob), FUNDS - price);
            assertEq(token.balanceOf(winner == 1 ? bob : alice), FUNDS);
        } else {
            assertEq(winner, 0, "reverted although eBay's rule names a winner");
            bytes4 selector = bytes4(reason);
            assertTrue(
                selector == ICommissaryAuction.MaxBidTooLow.selector
                    || selector == ICommissaryAuction.AlreadyLeading.selector,
                "unexpected revert"
            );
            assertEq(keccak256(abi.encode(_get(a))), keccak256(abi.encode(before)));
        }
    }

    /// @dev resolveMaxBids(alice's maxA, bob's maxB) on auction `a`, by the relayer.
    function _tryResolve(uint256 a, uint96 maxA, uint96 maxB) internal returns (bool ok, bytes memory reason) {
        (ICommissaryAuction.MaxBid memory ma, bytes memory sa) = _signed(alice, alicePk, a, maxA);
        (ICommissaryAuction.MaxBid memory mb, bytes memory sb) = _signed(bob, bobPk, a, maxB);
        vm.prank(relayer);
        (ok, reason) = address(auction).call(abi.encodeCall(auction.resolveMaxBids, (ma, sa, mb, sb)));
    }

    /// @dev One-increment wars between two maximums (alternate bidByMaxBid until neither can bid) never
    ///      end at a higher price for the winner than resolveMaxBids, and every step is minNextBid.
    function testFuzz_resolveMaxBids_neverCostsMoreThanAWar(uint96 maxA, uint96 maxB, uint16 bps) public {
        bps = uint16(bound(bps, 100, 10_000)); // >= 1%, so wars stay short
        maxA = uint96(bound(maxA, RESERVE, 20 * uint256(RESERVE)));
        maxB = uint96(bound(maxB, RESERVE, 20 * uint256(RESERVE)));
        vm.assume(maxA != maxB);
        uint256 war = _createWith(RESERVE, uint40(block.timestamp), _end(), bps, WINDOW);
        uint256 once = _createWith(RESERVE, uint40(block.timestamp), _end(), bps, WINDOW);
        (ICommissaryAuction.MaxBid memory wa, bytes memory swa) = _signed(alice, alicePk, war, maxA);
        (ICommissaryAuction.MaxBid memory wb, bytes memory swb) = _signed(bob, bobPk, war, maxB);
        for (uint256 i = 0; i < 1000; i++) {
            bool aliceTurn = _get(war).highestBidder != alice;
            uint256 minimum = auction.minNextBid(war);
            if (minimum > (aliceTurn ? maxA : maxB)) break;
            if (aliceTurn) auction.bidByMaxBid(wa, swa);
            else auction.bidByMaxBid(wb, swb);
            assertEq(_get(war).highestBid, minimum);
        }
        (ICommissaryAuction.MaxBid memory oa, bytes memory soa) = _signed(alice, alicePk, once, maxA);
        (ICommissaryAuction.MaxBid memory ob, bytes memory sob) = _signed(bob, bobPk, once, maxB);
        _resolve(oa, soa, ob, sob);
        address higher = maxA > maxB ? alice : bob;
        assertEq(_get(once).highestBidder, higher);
        if (_get(war).highestBidder == higher) assertLe(_get(war).highestBid, _get(once).highestBid);
    }

    // --- rogue relayer -------------------------------------------------------------------------------

    /// @dev A relayer holding alice's and bob's authorizations calls every max-bid entry point in any
    ///      order, while carol bids by hand and time passes (into the soft-close window). Whatever it does,
    ///      alice (a) never has more than her maximum in escrow, (b) never pays more than the minimum
    ///      needed at that moment, which is the standing minimum next bid or, when bob's maximum could
    ///      still outbid it, bob's maximum plus one increment, (c) is never raised while leading unless
    ///      bob's maximum could outbid her, and (d) has exactly her leading bid in escrow, nothing otherwise.
    function testFuzz_rogueRelayer_neverOverpaysAMember(
        uint8[24] calldata steps,
        uint96 maxAlice,
        uint96 maxBob,
        uint256 seed
    ) public {
        rogueMaxAlice = uint96(bound(maxAlice, RESERVE / 2, 40 * uint256(RESERVE)));
        rogueMaxBob = uint96(bound(maxBob, RESERVE / 2, 40 * uint256(RESERVE)));
        (rogueAlice, rogueAliceSig) = _signed(alice, alicePk, id, rogueMaxAlice);
        (rogueBob, rogueBobSig) = _signed(bob, bobPk, id, rogueMaxBob);

        for (uint256 i = 0; i < steps.length; i++) {
            ICommissaryAuction.Auction memory before = _get(id);
            uint256 floor = auction.minNextBid(id);
            _rogueStep(steps[i] % 8, uint256(keccak256(abi.encode(seed, i))), floor, before.endTime);
            _checkAlice(before, floor);
        }
    }

    ICommissaryAuction.MaxBid internal rogueAlice;
    bytes internal rogueAliceSig;
    ICommissaryAuction.MaxBid internal rogueBob;
    bytes internal rogueBobSig;
    uint96 internal rogueMaxAlice;
    uint96 internal rogueMaxBob;

    /// @dev One move of the rogue relayer (every call may revert; the relayer does not care).
    function _rogueStep(uint256 step, uint256 rand, uint256 floor, uint256 end) internal {
        ICommissaryAuction.MaxBid memory ma = rogueAlice;
        ICommissaryAuction.MaxBid memory mb = rogueBob;
        bytes memory sa = rogueAliceSig;
        bytes memory sb = rogueBobSig;
        ICommissaryAuction.Permit memory garbage;
        vm.startPrank(relayer);
        if (step == 0) {
            try auction.bidByMaxBid(ma, sa) {} catch {}
        } else if (step == 1) {
            try auction.bidByMaxBid(mb, sb) {} catch {}
        } else if (step == 2) {
            try auction.resolveMaxBids(ma, sa, mb, sb) {} catch {}
        } else if (step == 3) {
            try auction.resolveMaxBids(mb, sb, ma, sa) {} catch {}
        } else if (step == 4) {
            try auction.bidByMaxBidWithPermit(ma, sa, garbage) {} catch {}
        } else if (step == 5) {
            try auction.resolveMaxBids(ma, sa, ma, sa) {} catch {}
        } else if (step == 6) {
            vm.stopPrank();
            _bid(carol, id, uint96(floor + rand % (floor / 10 + 1))); // carol bids by hand
        } else {
            // time passes, sometimes into the soft-close window (the auction never ends here)
            uint256 target = end - 1 - rand % 2 days;
            if (target > block.timestamp) vm.warp(target);
        }
        vm.stopPrank();
    }

    /// @dev The rogue relayer's bounds for alice after one move (see the test's description).
    function _checkAlice(ICommissaryAuction.Auction memory before, uint256 floor) internal view {
        ICommissaryAuction.Auction memory afterwards = _get(id);
        bool aliceLed = before.highestBidder == alice;
        bool bobThreat = rogueMaxBob >= floor;
        if (afterwards.highestBidder == alice) {
            assertLe(afterwards.highestBid, rogueMaxAlice, "above alice's maximum");
            if (!aliceLed || afterwards.highestBid != before.highestBid) {
                uint256 needed = floor;
                if (bobThreat && _raise(rogueMaxBob, BPS) > needed) needed = _raise(rogueMaxBob, BPS);
                assertLe(afterwards.highestBid, needed, "more than the minimum needed");
                if (aliceLed) assertTrue(bobThreat, "raised although nobody could outbid her");
            }
            assertEq(token.balanceOf(alice), FUNDS - afterwards.highestBid, "alice's escrow");
        } else {
            assertEq(token.balanceOf(alice), FUNDS, "alice pays while not leading");
        }
        assertLe(FUNDS - token.balanceOf(bob), rogueMaxBob, "above bob's maximum");
    }
}
