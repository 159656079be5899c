// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {CommissaryAuction} from "../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";
import {FeeOnTransferToken, NoReturnToken} from "./utils/mocks/MockTokens.sol";

contract BidTest is AuctionFixture {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = _create();
    }

    // --- first bid and reserve -------------------------------------------------------------------

    function test_bid_firstBidAtReserve() public {
        uint256 aliceBefore = token.balanceOf(alice);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, RESERVE, T0 + DURATION);
        _bid(alice, id, RESERVE);

        ICommissaryAuction.Auction memory a = _get(id);
        assertEq(a.highestBidder, alice);
        assertEq(a.highestBid, RESERVE);
        assertEq(a.endTime, T0 + DURATION);
        assertEq(token.balanceOf(alice), aliceBefore - RESERVE);
        assertEq(token.balanceOf(address(auction)), RESERVE);
    }

    function test_bid_revertsWhenBelowReserve() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, id, RESERVE - 1, RESERVE));
        _bid(alice, id, RESERVE - 1);
    }

    function test_bid_revertsWhenZero() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, id, 0, RESERVE));
        _bid(alice, id, 0);
    }

    // --- timing ----------------------------------------------------------------------------------

    function test_bid_revertsBeforeStart() public {
        uint256 later = _createWith(RESERVE, T0 + 100, T0 + 1000, BPS, WINDOW);
        vm.warp(T0 + 99);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotStarted.selector, later, T0 + 100));
        _bid(alice, later, RESERVE);
    }

    function test_bid_acceptedAtStartTime() public {
        uint256 later = _createWith(RESERVE, T0 + 100, T0 + 1000, BPS, WINDOW);
        vm.warp(T0 + 100);
        _bid(alice, later, RESERVE);
        assertEq(_get(later).highestBidder, alice);
    }

    function test_bid_acceptedOneSecondBeforeEnd() public {
        vm.warp(T0 + DURATION - 1);
        _bid(alice, id, RESERVE);
        assertEq(_get(id).highestBidder, alice);
    }

    function test_bid_revertsAtEndTime() public {
        vm.warp(T0 + DURATION);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionEnded.selector, id, T0 + DURATION));
        _bid(alice, id, RESERVE);
    }

    function test_bid_revertsAfterEnd() public {
        vm.warp(T0 + DURATION + 1 days);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionEnded.selector, id, T0 + DURATION));
        _bid(alice, id, RESERVE);
    }

    // --- minimum increment -----------------------------------------------------------------------

    function test_bid_revertsWhenBelowMinIncrement() public {
        _bid(alice, id, RESERVE);
        uint256 minimum = RESERVE + RESERVE * BPS / 10_000;
        assertEq(auction.minNextBid(id), minimum);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, id, minimum - 1, minimum));
        _bid(bob, id, uint96(minimum - 1));
    }

    function test_bid_acceptsExactMinIncrement() public {
        _bid(alice, id, RESERVE);
        uint96 minimum = uint96(auction.minNextBid(id));
        _bid(bob, id, minimum);
        assertEq(_get(id).highestBid, minimum);
    }

    function test_bid_minIncrementRoundsUp() public {
        uint256 small = _createWith(101, T0, T0 + DURATION, 1, WINDOW); // 0.01% of 101 wei = 0.0101 wei
        _bid(alice, small, 101);
        assertEq(auction.minNextBid(small), 102);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, small, 101, 102));
        _bid(bob, small, 101);
        _bid(bob, small, 102);
    }

    function test_bid_revertsWhenEqualToHighest() public {
        _bid(alice, id, RESERVE * 2);
        uint256 minimum = RESERVE * 2 + RESERVE * 2 * BPS / 10_000;
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, id, RESERVE * 2, minimum));
        _bid(bob, id, RESERVE * 2);
    }

    // --- outbidding and refunds --------------------------------------------------------------------

    function test_bid_refundsOutbidBidderInSameTransaction() public {
        _bid(alice, id, RESERVE);
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 bobBefore = token.balanceOf(bob);

        uint96 next = uint96(auction.minNextBid(id));
        vm.expectEmit(true, true, true, true, address(token));
        emit IERC20.Transfer(address(auction), alice, RESERVE);
        _bid(bob, id, next);

        assertEq(token.balanceOf(alice), aliceBefore + RESERVE);
        assertEq(token.balanceOf(bob), bobBefore - next);
        assertEq(token.balanceOf(address(auction)), next);
        assertEq(auction.credits(alice), 0);
        assertEq(_get(id).highestBidder, bob);
    }

    function test_bid_raisingOwnBidPullsOnlyTheDifference() public {
        _bid(alice, id, RESERVE);
        uint256 before = token.balanceOf(alice);
        uint96 raised = uint96(auction.minNextBid(id)) + 7e18;

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, raised, T0 + DURATION);
        vm.expectEmit(true, true, true, true, address(token));
        emit IERC20.Transfer(alice, address(auction), raised - RESERVE);
        _bid(alice, id, raised);

        assertEq(token.balanceOf(alice), before - (raised - RESERVE));
        assertEq(token.balanceOf(address(auction)), raised);
        assertEq(_get(id).highestBid, raised);
    }

    function test_bid_raisingOwnBidStillNeedsMinIncrement() public {
        _bid(alice, id, RESERVE);
        uint256 minimum = RESERVE + RESERVE * BPS / 10_000;
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, id, RESERVE + 1, minimum));
        _bid(alice, id, RESERVE + 1);
    }

    // --- anti-sniping extension --------------------------------------------------------------------

    function test_bid_withinWindowExtendsEnd() public {
        vm.warp(T0 + DURATION - 60); // one minute left, window is ten
        uint40 expected = T0 + DURATION - 60 + WINDOW;
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, RESERVE, expected);
        _bid(alice, id, RESERVE);
        assertEq(_get(id).endTime, expected);

        // the extended auction keeps accepting bids until the new end
        vm.warp(expected - 1);
        uint96 next = uint96(auction.minNextBid(id));
        _bid(bob, id, next);
        assertEq(_get(id).endTime, expected - 1 + WINDOW);
    }

    function test_bid_outsideWindowDoesNotExtend() public {
        vm.warp(T0 + DURATION - WINDOW); // exactly `window` left: the end would not move
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, RESERVE, T0 + DURATION);
        _bid(alice, id, RESERVE);
        assertEq(_get(id).endTime, T0 + DURATION);
    }

    function test_bid_zeroWindowNeverExtends() public {
        uint256 noExt = _createWith(RESERVE, T0, T0 + 100, BPS, 0);
        vm.warp(T0 + 99);
        _bid(alice, noExt, RESERVE);
        assertEq(_get(noExt).endTime, T0 + 100);
    }

    // --- closed auctions and pause -------------------------------------------------------------

    function test_bid_revertsForUnknownAuction() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, 99));
        _bid(alice, 99, RESERVE);
    }

    function test_bid_revertsForSettledAuction() public {
        _bid(alice, id, RESERVE);
        _warpToEnd(id);
        auction.settle(id);
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Settled)
        );
        _bid(bob, id, RESERVE * 2);
    }

    function test_bid_revertsForCancelledAuction() public {
        vm.prank(lister);
        auction.cancel(id);
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Cancelled)
        );
        _bid(alice, id, RESERVE);
    }

    function test_bid_revertsWhenPaused() public {
        vm.prank(admin);
        auction.pause();
        vm.expectRevert(ICommissaryAuction.EnforcedPause.selector);
        _bid(alice, id, RESERVE);

        vm.prank(admin);
        auction.unpause();
        _bid(alice, id, RESERVE);
    }

    function test_bid_isNonPayable() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        (bool ok,) = address(auction).call{value: 1}(abi.encodeCall(auction.bid, (id, RESERVE)));
        assertFalse(ok);
    }

    // --- token behaviour -----------------------------------------------------------------------------

    function test_bid_revertsWithoutAllowance() public {
        vm.prank(alice);
        token.approve(address(auction), RESERVE - 1);
        vm.expectRevert(ICommissaryAuction.TokenTransferFailed.selector);
        _bid(alice, id, RESERVE);
    }

    function test_bid_revertsWithoutBalance() public {
        address poor = makeAddr("poor");
        vm.prank(poor);
        token.approve(address(auction), type(uint256).max);
        vm.expectRevert(ICommissaryAuction.TokenTransferFailed.selector);
        _bid(poor, id, RESERVE);
    }

    function test_bid_revertsWhenTokenDeliversLess_feeOnTransfer() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        CommissaryAuction a = new CommissaryAuction(address(fot), treasury, admin);
        _fundFor(IERC20(address(fot)), alice, address(a));
        vm.prank(admin);
        uint256 fid = a.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);

        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.InsufficientTokensReceived.selector, RESERVE, RESERVE * 99 / 100)
        );
        vm.prank(alice);
        a.bid(fid, RESERVE);
        assertEq(fot.balanceOf(address(a)), 0);
    }

    function test_bid_worksWithTokenWithoutReturnValues() public {
        NoReturnToken usdtLike = new NoReturnToken();
        CommissaryAuction a = new CommissaryAuction(address(usdtLike), treasury, admin);
        _fundFor(IERC20(address(usdtLike)), alice, address(a));
        _fundFor(IERC20(address(usdtLike)), bob, address(a));
        vm.prank(admin);
        uint256 nid = a.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);

        vm.prank(alice);
        a.bid(nid, RESERVE);
        vm.prank(bob);
        a.bid(nid, RESERVE * 2);
        assertEq(usdtLike.balanceOf(alice), FUNDS); // refunded
        assertEq(usdtLike.balanceOf(address(a)), RESERVE * 2);

        vm.warp(T0 + DURATION);
        a.settle(nid);
        assertEq(usdtLike.balanceOf(treasury), RESERVE * 2);
    }

    // --- fuzz ----------------------------------------------------------------------------------

    function testFuzz_bid_enforcesMinNextBid(uint96 reserve, uint16 bps, uint96 first, uint96 second) public {
        reserve = uint96(bound(reserve, 1, FUNDS / 4));
        bps = uint16(bound(bps, 1, 10_000));
        first = uint96(bound(first, reserve, FUNDS / 4));
        uint256 fid = _createWith(reserve, T0, T0 + DURATION, bps, WINDOW);
        _bid(alice, fid, first);

        uint256 minimum = uint256(first) + (uint256(first) * bps + 9999) / 10_000;
        assertEq(auction.minNextBid(fid), minimum);
        second = uint96(bound(second, 0, FUNDS / 2));
        if (second < minimum) {
            vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, fid, second, minimum));
            _bid(bob, fid, second);
        } else {
            uint256 aliceBefore = token.balanceOf(alice);
            _bid(bob, fid, second);
            assertEq(token.balanceOf(alice), aliceBefore + first);
            assertEq(_get(fid).highestBid, second);
            assertEq(token.balanceOf(address(auction)), second);
        }
    }

    function testFuzz_bid_extendsOnlyWithinWindow(uint32 window, uint40 offset) public {
        window = uint32(bound(window, 0, 1 days));
        offset = uint40(bound(offset, 1, DURATION)); // seconds left when bidding
        uint256 fid = _createWith(RESERVE, T0, T0 + DURATION, BPS, window);
        uint40 bidTime = T0 + DURATION - offset;
        vm.warp(bidTime);
        _bid(alice, fid, RESERVE);
        uint40 expected = offset < window ? bidTime + window : T0 + DURATION;
        assertEq(_get(fid).endTime, expected);
        assertGe(_get(fid).endTime, T0 + DURATION);
    }

    // --- extensions near type(uint40).max ------------------------------------------------------------

    function test_bid_extensionsStopAtUint40MaxInsteadOfWrapping() public {
        uint40 max = type(uint40).max;
        uint256 late = _createWith(RESERVE, T0, max - WINDOW, BPS, WINDOW);
        // First extension: still below the maximum.
        vm.warp(max - WINDOW - 1);
        _bid(alice, late, RESERVE);
        assertEq(_get(late).endTime, max - 1);
        // Second extension would end at max - 2 + WINDOW: it stops at max instead of wrapping to a
        // small end (which would have ended the auction at once) or spilling into the status byte.
        vm.warp(max - 2);
        uint96 next = uint96(auction.minNextBid(late));
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(late, bob, next, max);
        _bid(bob, late, next);
        ICommissaryAuction.Auction memory a = _get(late);
        assertEq(a.endTime, max);
        assertEq(uint8(a.status), uint8(ICommissaryAuction.Status.Open));
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotEnded.selector, late, max));
        auction.settle(late);
        // Bids keep working until the (saturated) end; then it settles normally.
        vm.warp(max - 1);
        _bid(carol, late, uint96(auction.minNextBid(late)));
        assertEq(_get(late).endTime, max);
        vm.warp(max);
        auction.settle(late);
        assertEq(uint8(_get(late).status), uint8(ICommissaryAuction.Status.Settled));
    }
}
