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
