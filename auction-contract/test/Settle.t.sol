// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Vm} from "forge-std/Vm.sol";

import {CommissaryAuction} from "../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";
import {HostileToken} from "./utils/mocks/MockTokens.sol";

contract SettleTest is AuctionFixture {
    uint256 internal id;

    function setUp() public override {
        super.setUp();
        id = _create();
    }

    // --- settle --------------------------------------------------------------------------------------

    function test_settle_paysHighestBidToTreasury() public {
        _bid(alice, id, RESERVE);
        uint96 top = uint96(auction.minNextBid(id));
        _bid(bob, id, top);
        _warpToEnd(id);

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.AuctionSettled(id, bob, top);
        vm.expectEmit(true, true, true, true, address(token));
        emit IERC20.Transfer(address(auction), treasury, top);
        vm.prank(carol); // anyone
        auction.settle(id);

        assertEq(token.balanceOf(treasury), top);
        assertEq(token.balanceOf(address(auction)), 0);
        ICommissaryAuction.Auction memory a = _get(id);
        assertEq(uint8(a.status), uint8(ICommissaryAuction.Status.Settled));
        assertEq(a.highestBidder, bob, "winner kept");
        assertEq(a.highestBid, top, "winning bid kept");
    }

    function test_settle_withoutBidsEmitsZeroWinner() public {
        _warpToEnd(id);
        vm.recordLogs();
        auction.settle(id);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1, "no token transfer");
        assertEq(logs[0].emitter, address(auction));
        assertEq(logs[0].topics[0], ICommissaryAuction.AuctionSettled.selector);
        assertEq(logs[0].topics[1], bytes32(id));
        assertEq(logs[0].topics[2], bytes32(0), "winner = address(0)");
        assertEq(abi.decode(logs[0].data, (uint96)), 0, "amount = 0");
        assertEq(uint8(_get(id).status), uint8(ICommissaryAuction.Status.Settled));
        assertEq(_get(id).highestBid, 0);
    }

    function test_settle_revertsBeforeEnd() public {
        _bid(alice, id, RESERVE);
        vm.warp(T0 + DURATION - 1);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotEnded.selector, id, T0 + DURATION));
        auction.settle(id);
    }

    function test_settle_usesExtendedEnd() public {
        vm.warp(T0 + DURATION - 1);
        _bid(alice, id, RESERVE);
        uint40 extended = T0 + DURATION - 1 + WINDOW;
        vm.warp(T0 + DURATION);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotEnded.selector, id, extended));
        auction.settle(id);
        vm.warp(extended);
        auction.settle(id);
    }

    function test_settle_onlyOnce() public {
        _bid(alice, id, RESERVE);
        _warpToEnd(id);
        auction.settle(id);
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Settled)
        );
        auction.settle(id);
        assertEq(token.balanceOf(treasury), RESERVE);
    }

    function test_settle_revertsForCancelledAuction() public {
        vm.prank(lister);
        auction.cancel(id);
        vm.warp(T0 + DURATION);
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Cancelled)
        );
        auction.settle(id);
    }

    function test_settle_revertsForUnknownAuction() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, 7));
        auction.settle(7);
    }

    function test_settle_worksWhilePaused() public {
        _bid(alice, id, RESERVE);
        vm.prank(admin);
        auction.pause();
        _warpToEnd(id);
        auction.settle(id);
        assertEq(token.balanceOf(treasury), RESERVE);
    }

    function test_settle_paysCurrentTreasury() public {
        _bid(alice, id, RESERVE);
        address newTreasury = makeAddr("newTreasury");
        vm.prank(admin);
        auction.setTreasury(newTreasury);
        _warpToEnd(id);
        auction.settle(id);
        assertEq(token.balanceOf(newTreasury), RESERVE);
        assertEq(token.balanceOf(treasury), 0);
    }

    function test_settle_revertsWhenTreasuryTransferFails() public {
        HostileToken hostile = new HostileToken();
        CommissaryAuction a = new CommissaryAuction(address(hostile), treasury, admin);
        _fundFor(IERC20(address(hostile)), alice, address(a));
        vm.prank(admin);
        uint256 hid = a.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);
        vm.prank(alice);
        a.bid(hid, RESERVE);
        hostile.setBlocked(treasury, true);
        vm.warp(T0 + DURATION);
        vm.expectRevert(ICommissaryAuction.TokenTransferFailed.selector);
        a.settle(hid);
        // nothing changed; settles once the treasury can receive
        assertEq(uint8(a.getAuction(hid).status), uint8(ICommissaryAuction.Status.Open));
        hostile.setBlocked(treasury, false);
        a.settle(hid);
        assertEq(hostile.balanceOf(treasury), RESERVE);
    }

    function test_settle_isNonPayable() public {
        _warpToEnd(id);
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        (bool ok,) = address(auction).call{value: 1}(abi.encodeCall(auction.settle, (id)));
        assertFalse(ok);
    }

    // --- settleMany ----------------------------------------------------------------------------------

    function test_settleMany_settlesEndedAuctionsAndSkipsTheRest() public {
        uint256 withBid = id; // ends at T0 + DURATION
        _bid(alice, withBid, RESERVE);
        uint256 noBid = _create();
        uint256 alreadySettled = _createWith(RESERVE, T0, T0 + 10, BPS, 0);
        _bid(bob, alreadySettled, RESERVE * 2);
        uint256 cancelled = _create();
        vm.prank(lister);
        auction.cancel(cancelled);
        vm.warp(T0 + 10);
        auction.settle(alreadySettled);
        vm.warp(T0 + DURATION);
        uint256 notEnded = _createWith(RESERVE, T0, T0 + DURATION + 1 days, BPS, WINDOW);
        _bid(carol, notEnded, RESERVE * 3);

        uint256[] memory ids = new uint256[](7);
        ids[0] = withBid;
        ids[1] = noBid;
        ids[2] = alreadySettled;
        ids[3] = cancelled;
        ids[4] = notEnded;
        ids[5] = 999; // unknown
        ids[6] = withBid; // duplicate

        uint256 treasuryBefore = token.balanceOf(treasury);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.AuctionSettled(withBid, alice, RESERVE);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.AuctionSettled(noBid, address(0), 0);
        vm.prank(carol);
        uint256 settled = auction.settleMany(ids);

        assertEq(settled, 2);
        assertEq(token.balanceOf(treasury), treasuryBefore + RESERVE);
        assertEq(uint8(_get(withBid).status), uint8(ICommissaryAuction.Status.Settled));
        assertEq(uint8(_get(noBid).status), uint8(ICommissaryAuction.Status.Settled));
        assertEq(uint8(_get(cancelled).status), uint8(ICommissaryAuction.Status.Cancelled));
        assertEq(uint8(_get(notEnded).status), uint8(ICommissaryAuction.Status.Open));
        assertEq(token.balanceOf(address(auction)), RESERVE * 3, "only the live bid stays in escrow");
    }

    function test_settleMany_paysTreasuryInOneTransfer() public {
        uint256[] memory ids = new uint256[](5);
        uint256 total;
        ids[0] = id;
        for (uint256 i = 1; i < 5; i++) {
            ids[i] = _create();
        }
        for (uint256 i = 0; i < 5; i++) {
            uint96 amount = RESERVE + uint96(i) * 1e18;
            _bid(i % 2 == 0 ? alice : bob, ids[i], amount);
            total += amount;
        }
        vm.warp(T0 + DURATION);

        vm.recordLogs();
        assertEq(auction.settleMany(ids), 5);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 transfers;
        uint256 settledEvents;
        for (uint256 i = 0; i < logs.length; i++) {
            if (logs[i].topics[0] == IERC20.Transfer.selector) transfers++;
            if (logs[i].topics[0] == ICommissaryAuction.AuctionSettled.selector) settledEvents++;
        }
        assertEq(transfers, 1, "one transfer to the treasury");
        assertEq(settledEvents, 5);
        assertEq(token.balanceOf(treasury), total);
    }

    function test_settleMany_returnsZeroWhenNothingIsSettleable() public {
        _bid(alice, id, RESERVE);
        uint256[] memory ids = new uint256[](2);
        ids[0] = id; // not ended
        ids[1] = 42; // unknown
        vm.recordLogs();
        assertEq(auction.settleMany(ids), 0);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(auction.settleMany(new uint256[](0)), 0);
    }

    function test_settleMany_worksWhilePaused() public {
        _bid(alice, id, RESERVE);
        vm.prank(admin);
        auction.pause();
        _warpToEnd(id);
        uint256[] memory ids = new uint256[](1);
        ids[0] = id;
        assertEq(auction.settleMany(ids), 1);
        assertEq(token.balanceOf(treasury), RESERVE);
    }

    function testFuzz_settleMany_matchesIndividualSettlement(uint8 count, uint256 seed) public {
        count = uint8(bound(count, 1, 20));
        uint256[] memory ids = new uint256[](count);
        uint256 expectedTotal;
        uint256 expectedSettled;
        for (uint256 i = 0; i < count; i++) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint40 end = uint40(T0 + 1 + (r % 200));
            ids[i] = _createWith(RESERVE, T0, end, BPS, 0);
            if (r & 1 == 1) {
                uint96 amount = RESERVE + uint96(r % 1e18);
                _bid(alice, ids[i], amount);
                if (end <= T0 + 100) expectedTotal += amount;
            }
            if (end <= T0 + 100) expectedSettled++;
        }
        vm.warp(T0 + 100);
        assertEq(auction.settleMany(ids), expectedSettled);
        assertEq(token.balanceOf(treasury), expectedTotal);
        assertEq(token.balanceOf(address(auction)), _liveBids(auction));
        // a second pass settles nothing more
        assertEq(auction.settleMany(ids), 0);
    }
}
