// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {CommissaryAuction} from "../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";
import {HookToken, HostileToken} from "./utils/mocks/MockTokens.sol";

/// @notice Bids that must never be blocked by a failing refund, credits and withdraw().
contract RefundsTest is AuctionFixture {
    HostileToken internal hostile;
    CommissaryAuction internal hAuction;
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        hostile = new HostileToken();
        hAuction = new CommissaryAuction(address(hostile), treasury, admin);
        _fundFor(IERC20(address(hostile)), alice, address(hAuction));
        _fundFor(IERC20(address(hostile)), bob, address(hAuction));
        _fundFor(IERC20(address(hostile)), carol, address(hAuction));
        vm.prank(admin);
        id = hAuction.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);
        vm.prank(alice);
        hAuction.bid(id, RESERVE);
    }

    function _outbidWithBlockedRefund(HostileToken.Mode mode) internal {
        hostile.setMode(mode);
        hostile.setBlocked(alice, true);
        uint96 next = uint96(hAuction.minNextBid(id));

        vm.expectEmit(true, true, true, true, address(hAuction));
        emit ICommissaryAuction.RefundCredited(alice, RESERVE);
        vm.prank(bob);
        hAuction.bid(id, next);

        assertEq(hAuction.getAuction(id).highestBidder, bob, "bid went through");
        assertEq(hAuction.credits(alice), RESERVE, "refund credited");
        assertEq(hostile.balanceOf(alice), FUNDS - RESERVE, "nothing refunded");
        assertEq(hostile.balanceOf(address(hAuction)), next + RESERVE, "escrow holds bid + credit");
    }

    function test_bid_creditsRefundWhenTokenReverts() public {
        _outbidWithBlockedRefund(HostileToken.Mode.Revert);
    }

    function test_bid_creditsRefundWhenTokenReturnsFalse() public {
        _outbidWithBlockedRefund(HostileToken.Mode.ReturnFalse);
    }

    function test_bid_creditsRefundWhenTokenBurnsAllGas() public {
        uint256 gasBefore = gasleft();
        _outbidWithBlockedRefund(HostileToken.Mode.BurnAllGas);
        // The refund may burn at most REFUND_GAS_LIMIT, not the whole transaction.
        assertLt(gasBefore - gasleft(), hAuction.REFUND_GAS_LIMIT() + 200_000);
    }

    function test_bid_creditsRefundWhenTokenReturnsHugeData() public {
        _outbidWithBlockedRefund(HostileToken.Mode.ReturnBomb);
    }

    function test_bid_creditsRefundWhenTokenReturnsMalformedData() public {
        _outbidWithBlockedRefund(HostileToken.Mode.ReturnShort);
    }

    function test_bid_failedRefundsAccumulateCredits() public {
        hostile.setBlocked(alice, true);
        uint96 next = uint96(hAuction.minNextBid(id));
        vm.prank(bob);
        hAuction.bid(id, next);
        // alice bids again (her pull is fine: only transfers *to* her are blocked), then is outbid again
        uint96 aliceBid = uint96(hAuction.minNextBid(id));
        vm.prank(alice);
        hAuction.bid(id, aliceBid);
        next = uint96(hAuction.minNextBid(id));
        vm.prank(carol);
        hAuction.bid(id, next);
        assertEq(hAuction.credits(alice), RESERVE + aliceBid);
        assertEq(hostile.balanceOf(address(hAuction)), hAuction.getAuction(id).highestBid + RESERVE + aliceBid);
    }

    function test_withdraw_paysCreditsOnceUnblocked() public {
        hostile.setBlocked(alice, true);
        uint96 next = uint96(hAuction.minNextBid(id));
        vm.prank(bob);
        hAuction.bid(id, next);

        // still blocked: withdraw reverts and keeps the credit
        vm.expectRevert(ICommissaryAuction.TokenTransferFailed.selector);
        vm.prank(alice);
        hAuction.withdraw();
        assertEq(hAuction.credits(alice), RESERVE);

        hostile.setBlocked(alice, false);
        vm.expectEmit(true, true, true, true, address(hAuction));
        emit ICommissaryAuction.Withdrawn(alice, RESERVE);
        vm.prank(alice);
        hAuction.withdraw();
        assertEq(hAuction.credits(alice), 0);
        assertEq(hostile.balanceOf(alice), FUNDS);

        vm.expectRevert(ICommissaryAuction.NothingToWithdraw.selector);
        vm.prank(alice);
        hAuction.withdraw();
    }

    function test_withdraw_worksWhilePaused() public {
        hostile.setBlocked(alice, true);
        uint96 next = uint96(hAuction.minNextBid(id));
        vm.prank(bob);
        hAuction.bid(id, next);
        hostile.setBlocked(alice, false);
        vm.prank(admin);
        hAuction.pause();
        vm.prank(alice);
        hAuction.withdraw();
        assertEq(hostile.balanceOf(alice), FUNDS);
    }

    function test_withdraw_revertsWithoutCredits() public {
        vm.expectRevert(ICommissaryAuction.NothingToWithdraw.selector);
        vm.prank(carol);
        auction.withdraw();
    }

    function test_withdraw_isNonPayable() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        (bool ok,) = address(auction).call{value: 1}(abi.encodeCall(auction.withdraw, ()));
        assertFalse(ok);
    }

    function testFuzz_bid_refundFailureNeverBlocksBid(uint8 modeSeed, uint96 amount) public {
        HostileToken.Mode mode = HostileToken.Mode(bound(modeSeed, 0, 4));
        hostile.setMode(mode);
        hostile.setBlocked(alice, true);
        uint256 minimum = hAuction.minNextBid(id);
        amount = uint96(bound(amount, minimum, FUNDS));
        vm.prank(bob);
        hAuction.bid(id, amount);
        assertEq(hAuction.getAuction(id).highestBid, amount);
        assertEq(hAuction.credits(alice), RESERVE);
        assertEq(hostile.balanceOf(address(hAuction)), uint256(amount) + RESERVE);
    }
}

/// @notice Bids under a token with ERC-777-style hooks.
contract ReentrancyTest is AuctionFixture {
    HookToken internal hook;
    CommissaryAuction internal hAuction;
    uint256 internal id;
    Rebidder internal rebidder;

    function setUp() public override {
        super.setUp();
        hook = new HookToken();
        hAuction = new CommissaryAuction(address(hook), treasury, admin);
        _fundFor(IERC20(address(hook)), alice, address(hAuction));
        _fundFor(IERC20(address(hook)), bob, address(hAuction));
        vm.prank(admin);
        id = hAuction.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);
        rebidder = new Rebidder(hAuction);
        _fundFor(IERC20(address(hook)), address(rebidder), address(hAuction));
    }

    function test_bid_rejectsBidNestedInsidePull() public {
        // While alice's tokens are being pulled, the token calls back into the auction to bid.
        hook.setPullHook(address(rebidder), abi.encodeCall(Rebidder.rebid, (id, RESERVE * 3)));
        vm.prank(alice);
        hAuction.bid(id, RESERVE);

        assertFalse(hook.lastHookSuccess(), "nested bid must fail");
        assertEq(bytes4(hook.lastHookResult()), ICommissaryAuction.ReentrantCall.selector);
        assertEq(hAuction.getAuction(id).highestBidder, alice);
        assertEq(hook.balanceOf(address(hAuction)), RESERVE);
    }

    function test_bid_allowsBidFromRefundHook() public {
        // The outbid bidder may bid again from its refund hook: the pull lock is released by then.
        vm.prank(address(rebidder));
        hAuction.bid(id, RESERVE);
        uint96 bobBid = uint96(hAuction.minNextBid(id));
        uint96 counter = bobBid * 2;
        hook.setRefundHook(address(rebidder), address(rebidder), abi.encodeCall(Rebidder.rebid, (id, counter)));
        vm.prank(bob);
        hAuction.bid(id, bobBid);

        assertTrue(hook.lastHookSuccess(), "counter bid from refund hook");
        ICommissaryAuction.Auction memory a = hAuction.getAuction(id);
        assertEq(a.highestBidder, address(rebidder));
        assertEq(a.highestBid, counter);
        assertEq(hook.balanceOf(address(hAuction)), counter, "bob refunded, escrow holds only the live bid");
        assertEq(hook.balanceOf(bob), FUNDS);
    }
    // --- re-entry from the token's hooks and from the treasury ----------------------------------

    function _endedAuctionWithBid(uint96 amount) internal returns (uint256 ended) {
        vm.prank(admin);
        ended = hAuction.createAuction(keccak256("ended"), RESERVE, T0, T0 + 100, BPS, 0);
        vm.prank(bob);
        hAuction.bid(ended, amount);
        vm.warp(T0 + 100);
    }

    function test_bid_pullHookSettlingAnotherAuctionRevertsTheBid() public {
        // A payout nested inside the pull would hide part of the delivery from the balance check: the
        // whole bid reverts, the nested settlement with it.
        uint256 ended = _endedAuctionWithBid(RESERVE);
        hook.setPullHook(address(hAuction), abi.encodeCall(hAuction.settle, (ended)));
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.InsufficientTokensReceived.selector, RESERVE * 2, RESERVE)
        );
        vm.prank(alice);
        hAuction.bid(id, RESERVE * 2);
        assertEq(uint8(hAuction.getAuction(ended).status), uint8(ICommissaryAuction.Status.Open));
        assertEq(hook.balanceOf(treasury), 0);
        assertEq(hook.balanceOf(address(hAuction)), RESERVE);
    }

    function test_bid_pullHookWithdrawingCreditsRevertsTheBid() public {
        Reenterer r = _creditedReenterer();
        uint256 credit = hAuction.credits(address(r));
        uint256 escrow = hook.balanceOf(address(hAuction));
        hook.setPullHook(address(r), abi.encodeCall(Reenterer.withdraw, ()));
        uint96 amount = RESERVE * 3;
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.InsufficientTokensReceived.selector, amount, amount - credit)
        );
        vm.prank(alice);
        hAuction.bid(id, amount);
        assertEq(hAuction.credits(address(r)), credit);
        assertEq(hook.balanceOf(address(hAuction)), escrow);
    }

    function test_withdraw_reenteredOnReceiptPaysOnce() public {
        Reenterer r = _creditedReenterer();
        uint256 credit = hAuction.credits(address(r));
        uint256 before = hook.balanceOf(address(r));
        hook.setRefundHook(
            address(r), address(r), abi.encodeCall(Reenterer.reenter, (abi.encodeCall(hAuction.withdraw, ())))
        );
        r.withdraw();
        assertFalse(hook.lastHookSuccess());
        assertEq(hook.lastHookResult(), abi.encodeWithSelector(ICommissaryAuction.NothingToWithdraw.selector));
        assertEq(hook.balanceOf(address(r)), before + credit, "paid once");
        assertEq(hAuction.credits(address(r)), 0);
    }

    function test_settle_treasuryReenteringOnReceiptCannotSettleTwice() public {
        vm.prank(alice);
        hAuction.bid(id, RESERVE);
        Reenterer t = new Reenterer(hAuction);
        vm.prank(admin);
        hAuction.setTreasury(address(t));
        vm.warp(T0 + DURATION);
        hook.setRefundHook(
            address(t), address(t), abi.encodeCall(Reenterer.reenter, (abi.encodeCall(hAuction.settle, (id))))
        );
        hAuction.settle(id);
        assertFalse(hook.lastHookSuccess());
        assertEq(
            hook.lastHookResult(),
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Settled)
        );
        assertEq(hook.balanceOf(address(t)), RESERVE, "paid once");
        assertEq(hook.balanceOf(address(hAuction)), 0);
    }

    function test_settleMany_treasuryReenteringOnReceiptSettlesNothingTwice() public {
        vm.prank(alice);
        hAuction.bid(id, RESERVE);
        Reenterer t = new Reenterer(hAuction);
        vm.prank(admin);
        hAuction.setTreasury(address(t));
        uint256[] memory ids = new uint256[](2);
        ids[0] = id;
        vm.prank(admin);
        ids[1] = hAuction.createAuction(keccak256("y"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);
        vm.prank(bob);
        hAuction.bid(ids[1], RESERVE * 2);
        vm.warp(T0 + DURATION);
        hook.setRefundHook(
            address(t), address(t), abi.encodeCall(Reenterer.reenter, (abi.encodeCall(hAuction.settleMany, (ids))))
        );
        assertEq(hAuction.settleMany(ids), 2);
        assertTrue(hook.lastHookSuccess(), "the nested settleMany skips both");
        assertEq(hook.balanceOf(address(t)), RESERVE * 3, "each winning bid paid once");
        assertEq(hook.balanceOf(address(hAuction)), 0);
    }

    function test_settle_treasuryBiddingOnReceiptKeepsEscrowBalanced() public {
        vm.prank(alice);
        hAuction.bid(id, RESERVE);
        Reenterer t = new Reenterer(hAuction);
        _fundFor(IERC20(address(hook)), address(t), address(hAuction));
        vm.prank(admin);
        hAuction.setTreasury(address(t));
        vm.prank(admin);
        uint256 live = hAuction.createAuction(keccak256("live"), RESERVE, T0, T0 + DURATION * 2, BPS, WINDOW);
        vm.warp(T0 + DURATION);
        hook.setRefundHook(address(t), address(t), abi.encodeCall(Reenterer.bid, (live, RESERVE)));
        hAuction.settle(id);
        assertTrue(hook.lastHookSuccess(), "a bid from the treasury's hook is an ordinary bid");
        assertEq(hAuction.getAuction(live).highestBidder, address(t));
        assertEq(hook.balanceOf(address(hAuction)), RESERVE, "escrow = the live bid");
    }

    /// @dev A Reenterer bidder whose refund failed once, so it holds RESERVE in credits.
    function _creditedReenterer() internal returns (Reenterer r) {
        r = new Reenterer(hAuction);
        _fundFor(IERC20(address(hook)), address(r), address(hAuction));
        vm.prank(admin);
        uint256 other = hAuction.createAuction(keccak256("credits"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);
        r.bid(other, RESERVE);
        hook.setBlocked(address(r), true);
        uint96 next = uint96(hAuction.minNextBid(other));
        vm.prank(bob);
        hAuction.bid(other, next);
        hook.setBlocked(address(r), false);
        assertEq(hAuction.credits(address(r)), RESERVE);
    }
}

contract Rebidder {
    CommissaryAuction internal immutable auction;

    constructor(CommissaryAuction auction_) {
        auction = auction_;
    }

    function rebid(uint256 id, uint96 amount) external {
        auction.bid(id, amount);
    }
}

/// @notice An account (bidder or treasury) that calls back into the auction when a hook token tells it
///         it received tokens; the auction's revert data is bubbled up to the token's hook record.
contract Reenterer {
    CommissaryAuction internal immutable auction;

    constructor(CommissaryAuction auction_) {
        auction = auction_;
    }

    function reenter(bytes calldata data) external {
        (bool ok, bytes memory result) = address(auction).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    function bid(uint256 id, uint96 amount) external {
        auction.bid(id, amount);
    }

    function withdraw() external {
        auction.withdraw();
    }
}

/// @notice The gas a relayer or bidder attaches cannot turn a refund that would succeed into a credit:
///         with too little gas for the refund the whole bid runs out of gas instead.
contract OutbidGasLimitTest is AuctionFixture {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = _create();
        _bid(alice, id, RESERVE);
    }

    /// @dev Outbids alice with `gasLimit` gas; returns whether the bid went through. State is restored.
    function _outbidWith(uint256 gasLimit, uint96 amount) internal returns (bool ok) {
        uint256 snapshot = vm.snapshotState();
        uint256 aliceBefore = token.balanceOf(alice);
        vm.prank(bob);
        (ok,) = address(auction).call{gas: gasLimit}(abi.encodeCall(auction.bid, (id, amount)));
        if (ok) {
            assertEq(auction.credits(alice), 0, "refund credited although it could have been paid");
            assertEq(token.balanceOf(alice), aliceBefore + RESERVE, "refund paid");
            assertEq(_get(id).highestBidder, bob);
        } else {
            assertEq(_get(id).highestBidder, alice, "a failed bid changes nothing");
        }
        vm.revertToState(snapshot);
    }

    function test_bid_outbidAtEveryGasLimitRefundsOrReverts() public {
        uint96 amount = uint96(auction.minNextBid(id));
        // The smallest gas limit at which the outbid goes through.
        uint256 lo = 21_000;
        uint256 hi = 400_000;
        assertTrue(_outbidWith(hi, amount), "400k is plenty");
        assertFalse(_outbidWith(lo, amount));
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (_outbidWith(mid, amount)) hi = mid;
            else lo = mid;
        }
        uint256 minimum = hi;
        // Every limit from the minimum to 2,000 above it, then in steps up to 400k.
        for (uint256 g = minimum; g <= minimum + 2000; g++) {
            assertTrue(_outbidWith(g, amount), "enough gas once the minimum is reached");
        }
        for (uint256 g = minimum + 2000; g <= 400_000; g += 997) {
            assertTrue(_outbidWith(g, amount));
        }
        assertFalse(_outbidWith(minimum - 1, amount));
    }
}
