// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";

contract CreateAuctionTest is AuctionFixture {
    function test_createAuction_idsStartAtOneAndIncrease() public {
        assertEq(auction.auctionCount(), 0);
        assertEq(_create(), 1);
        assertEq(_create(), 2);
        assertEq(_create(), 3);
        assertEq(auction.auctionCount(), 3);
    }

    function test_createAuction_storesAuction() public {
        uint256 id = _createWith(123e18, T0 + 60, T0 + 3600, 250, 300);
        ICommissaryAuction.Auction memory a = _get(id);
        assertEq(a.reservePrice, 123e18);
        assertEq(a.startTime, T0 + 60);
        assertEq(a.endTime, T0 + 3600);
        assertEq(a.minIncrementBps, 250);
        assertEq(a.extensionWindow, 300);
        assertEq(uint8(a.status), uint8(ICommissaryAuction.Status.Open));
        assertEq(a.highestBidder, address(0));
        assertEq(a.highestBid, 0);
    }

    function test_createAuction_emitsAuctionCreated() public {
        bytes32 listing = keccak256("listing-42");
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.AuctionCreated(1, listing, RESERVE, T0, T0 + DURATION, BPS, WINDOW);
        vm.prank(lister);
        auction.createAuction(listing, RESERVE, T0, T0 + DURATION, BPS, WINDOW);
    }

    function test_createAuction_revertsWhenNotLister() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, listerRole)
        );
        vm.prank(alice);
        auction.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);
    }

    function test_createAuction_followsListerRoleGrantsAndRevocations() public {
        vm.prank(admin);
        auction.grantRole(listerRole, alice);
        vm.prank(alice);
        assertEq(auction.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW), 1);

        vm.prank(admin);
        auction.revokeRole(listerRole, alice);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, listerRole)
        );
        vm.prank(alice);
        auction.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW);
    }

    function test_createAuction_adminIsListerByDefault() public {
        vm.prank(admin);
        assertEq(auction.createAuction(keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW), 1);
    }

    function test_createAuction_revertsWhenEndNotAfterStart() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidSchedule.selector, T0 + 100, T0 + 100));
        _createWith(RESERVE, T0 + 100, T0 + 100, BPS, WINDOW);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidSchedule.selector, T0 + 100, T0 + 99));
        _createWith(RESERVE, T0 + 100, T0 + 99, BPS, WINDOW);
    }

    function test_createAuction_revertsWhenEndNotInFuture() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidSchedule.selector, T0 - 100, T0));
        _createWith(RESERVE, T0 - 100, T0, BPS, WINDOW);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidSchedule.selector, T0 - 100, T0 - 1));
        _createWith(RESERVE, T0 - 100, T0 - 1, BPS, WINDOW);
    }

    function test_createAuction_acceptsStartInThePast() public {
        uint256 id = _createWith(RESERVE, T0 - 1 days, T0 + 1, BPS, WINDOW);
        assertEq(_get(id).startTime, T0 - 1 days);
    }

    function test_createAuction_revertsWhenReserveIsZero() public {
        vm.expectRevert(ICommissaryAuction.ZeroReservePrice.selector);
        _createWith(0, T0, T0 + DURATION, BPS, WINDOW);
    }

    function test_createAuction_revertsWhenMinIncrementIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidMinIncrement.selector, 0));
        _createWith(RESERVE, T0, T0 + DURATION, 0, WINDOW);
    }

    function test_createAuction_revertsWhenMinIncrementAbove10000() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidMinIncrement.selector, 10_001));
        _createWith(RESERVE, T0, T0 + DURATION, 10_001, WINDOW);
    }

    function test_createAuction_acceptsMinIncrementBounds() public {
        assertEq(_get(_createWith(RESERVE, T0, T0 + DURATION, 1, WINDOW)).minIncrementBps, 1);
        assertEq(_get(_createWith(RESERVE, T0, T0 + DURATION, 10_000, WINDOW)).minIncrementBps, 10_000);
    }

    function test_createAuction_revertsWhenExtensionWindowAboveOneDay() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.ExtensionWindowTooLong.selector, 1 days + 1));
        _createWith(RESERVE, T0, T0 + DURATION, BPS, 1 days + 1);
    }

    function test_createAuction_acceptsExtensionWindowBounds() public {
        assertEq(_get(_createWith(RESERVE, T0, T0 + DURATION, BPS, 0)).extensionWindow, 0);
        assertEq(_get(_createWith(RESERVE, T0, T0 + DURATION, BPS, 1 days)).extensionWindow, 1 days);
    }

    function test_createAuction_revertsWhenPaused() public {
        vm.prank(admin);
        auction.pause();
        vm.expectRevert(ICommissaryAuction.EnforcedPause.selector);
        _create();
    }

    function test_createAuction_isNonPayable() public {
        vm.deal(lister, 1 ether);
        vm.prank(lister);
        (bool ok,) = address(auction).call{value: 1}(
            abi.encodeCall(auction.createAuction, (keccak256("x"), RESERVE, T0, T0 + DURATION, BPS, WINDOW))
        );
        assertFalse(ok);
    }

    function testFuzz_createAuction_validatesParameters(
        uint96 reserve,
        uint40 start,
        uint40 end,
        uint16 bps,
        uint32 window
    ) public {
        // The checks in the contract's order, each with its exact error.
        bytes memory reason;
        if (end <= start || end <= block.timestamp) {
            reason = abi.encodeWithSelector(ICommissaryAuction.InvalidSchedule.selector, start, end);
        } else if (reserve == 0) {
            reason = abi.encodeWithSelector(ICommissaryAuction.ZeroReservePrice.selector);
        } else if (bps == 0 || bps > 10_000) {
            reason = abi.encodeWithSelector(ICommissaryAuction.InvalidMinIncrement.selector, bps);
        } else if (window > 1 days) {
            reason = abi.encodeWithSelector(ICommissaryAuction.ExtensionWindowTooLong.selector, window);
        } else if (uint256(end) + window > type(uint40).max) {
            reason = abi.encodeWithSelector(ICommissaryAuction.EndTimeTooLate.selector, end, window);
        }
        bool valid = reason.length == 0;
        if (!valid) vm.expectRevert(reason);
        uint256 id = _createWith(reserve, start, end, bps, window);
        if (valid) {
            ICommissaryAuction.Auction memory a = _get(id);
            assertEq(id, 1);
            assertEq(a.reservePrice, reserve);
            assertEq(a.startTime, start);
            assertEq(a.endTime, end);
            assertEq(a.minIncrementBps, bps);
            assertEq(a.extensionWindow, window);
            assertEq(auction.minNextBid(id), reserve);
        }
    }

    // --- end times near type(uint40).max ----------------------------------------------------------

    function test_createAuction_revertsWhenAnExtensionCouldPassUint40Max() public {
        uint40 max = type(uint40).max;
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.EndTimeTooLate.selector, max - WINDOW + 1, WINDOW));
        _createWith(RESERVE, T0, max - WINDOW + 1, BPS, WINDOW);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.EndTimeTooLate.selector, max, 1));
        _createWith(RESERVE, T0, max, BPS, 1);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.EndTimeTooLate.selector, max - 1 days + 1, 1 days));
        _createWith(RESERVE, T0, max - 1 days + 1, BPS, 1 days);
    }

    function test_createAuction_acceptsTheLatestEndThatCannotOverflow() public {
        uint40 max = type(uint40).max;
        assertEq(_get(_createWith(RESERVE, T0, max - WINDOW, BPS, WINDOW)).endTime, max - WINDOW);
        assertEq(_get(_createWith(RESERVE, T0, max, BPS, 0)).endTime, max, "no window: the end never moves");
    }
}
