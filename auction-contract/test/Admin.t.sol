// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {CommissaryAuction} from "../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";

/// @notice Construction, roles, cancel, pause, treasury and views.
contract AdminTest is AuctionFixture {
    bytes32 internal constant DEFAULT_ADMIN_ROLE = 0x00;

    // --- construction --------------------------------------------------------------------------------

    function test_constructor_setsTokenTreasuryAndRoles() public view {
        assertEq(auction.token(), address(token));
        assertEq(auction.treasury(), treasury);
        assertTrue(auction.hasRole(DEFAULT_ADMIN_ROLE, admin));
        assertTrue(auction.hasRole(listerRole, admin));
        assertTrue(auction.hasRole(listerRole, lister));
        assertFalse(auction.hasRole(DEFAULT_ADMIN_ROLE, lister));
        assertEq(listerRole, keccak256("LISTER_ROLE"));
        assertFalse(auction.paused());
        assertEq(auction.auctionCount(), 0);
        assertEq(auction.REFUND_GAS_LIMIT(), 100_000);
    }

    function test_constructor_revertsForTokenWithoutCode() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidToken.selector, alice));
        new CommissaryAuction(alice, treasury, admin);
    }

    function test_constructor_revertsForZeroTreasuryOrAdmin() public {
        vm.expectRevert(ICommissaryAuction.ZeroAddress.selector);
        new CommissaryAuction(address(token), address(0), admin);
        vm.expectRevert(ICommissaryAuction.ZeroAddress.selector);
        new CommissaryAuction(address(token), treasury, address(0));
    }

    function test_supportsInterface() public view {
        assertTrue(auction.supportsInterface(type(ICommissaryAuction).interfaceId));
        assertTrue(auction.supportsInterface(type(IAccessControl).interfaceId));
        assertTrue(auction.supportsInterface(type(IERC165).interfaceId));
        assertFalse(auction.supportsInterface(0xdeadbeef));
        assertTrue(type(IERC5267).interfaceId != bytes4(0));
    }

    // --- cancel ----------------------------------------------------------------------------------------

    function test_cancel_cancelsBeforeFirstBid() public {
        uint256 id = _create();
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.AuctionCancelled(id);
        vm.prank(lister);
        auction.cancel(id);
        ICommissaryAuction.Auction memory a = _get(id);
        assertEq(uint8(a.status), uint8(ICommissaryAuction.Status.Cancelled));
        assertEq(a.reservePrice, RESERVE, "terms kept");
        assertEq(a.endTime, T0 + DURATION);
        assertEq(a.highestBid, 0);
    }

    function test_cancel_revertsWhenNotLister() public {
        uint256 id = _create();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, listerRole)
        );
        vm.prank(alice);
        auction.cancel(id);
    }

    function test_cancel_revertsAfterFirstBid() public {
        uint256 id = _create();
        _bid(alice, id, RESERVE);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionHasBids.selector, id));
        vm.prank(lister);
        auction.cancel(id);
    }

    function test_cancel_revertsWhenAlreadyCancelled() public {
        uint256 id = _create();
        vm.prank(lister);
        auction.cancel(id);
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Cancelled)
        );
        vm.prank(lister);
        auction.cancel(id);
    }

    function test_cancel_revertsWhenSettled() public {
        uint256 id = _create();
        _warpToEnd(id);
        auction.settle(id);
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Settled)
        );
        vm.prank(lister);
        auction.cancel(id);
    }

    function test_cancel_revertsForUnknownAuction() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, 5));
        vm.prank(lister);
        auction.cancel(5);
    }

    function test_cancel_allowedAfterEndWithoutBids() public {
        uint256 id = _create();
        _warpToEnd(id);
        vm.prank(lister);
        auction.cancel(id);
        assertEq(uint8(_get(id).status), uint8(ICommissaryAuction.Status.Cancelled));
    }

    function test_closedAuctionsNeverChange() public {
        uint256 settledId = _create();
        _bid(alice, settledId, RESERVE);
        uint256 cancelledId = _create();
        vm.prank(lister);
        auction.cancel(cancelledId);
        _warpToEnd(settledId);
        auction.settle(settledId);
        ICommissaryAuction.Auction memory s0 = _get(settledId);
        ICommissaryAuction.Auction memory c0 = _get(cancelledId);

        uint256[] memory ids = new uint256[](2);
        ids[0] = settledId;
        ids[1] = cancelledId;
        vm.prank(admin);
        auction.pause();
        vm.prank(admin);
        auction.unpause();
        ICommissaryAuction.Status[2] memory statuses =
            [ICommissaryAuction.Status.Settled, ICommissaryAuction.Status.Cancelled];
        for (uint256 i = 0; i < 2; i++) {
            bytes memory closed = abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, ids[i], statuses[i]);
            vm.expectRevert(closed);
            _bid(bob, ids[i], RESERVE * 5);
            vm.expectRevert(closed);
            auction.settle(ids[i]);
            vm.expectRevert(closed);
            vm.prank(lister);
            auction.cancel(ids[i]);
        }
        assertEq(auction.settleMany(ids), 0);
        assertEq(keccak256(abi.encode(_get(settledId))), keccak256(abi.encode(s0)));
        assertEq(keccak256(abi.encode(_get(cancelledId))), keccak256(abi.encode(c0)));
    }

    // --- pause -------------------------------------------------------------------------------------

    function test_pause_onlyAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, lister, DEFAULT_ADMIN_ROLE)
        );
        vm.prank(lister);
        auction.pause();

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.Paused(admin);
        vm.prank(admin);
        auction.pause();
        assertTrue(auction.paused());

        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, lister, DEFAULT_ADMIN_ROLE)
        );
        vm.prank(lister);
        auction.unpause();

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.Unpaused(admin);
        vm.prank(admin);
        auction.unpause();
        assertFalse(auction.paused());
    }

    function test_pause_revertsWhenAlreadyInThatState() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.ExpectedPause.selector, true));
        vm.prank(admin);
        auction.unpause();
        vm.prank(admin);
        auction.pause();
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.ExpectedPause.selector, false));
        vm.prank(admin);
        auction.pause();
    }

    function test_pause_keepsCountersAndTreasury() public {
        _create();
        vm.prank(admin);
        auction.pause();
        assertEq(auction.auctionCount(), 1);
        assertEq(auction.treasury(), treasury);
        vm.prank(admin);
        auction.unpause();
        assertEq(_create(), 2);
    }

    function test_cancel_worksWhilePaused() public {
        uint256 id = _create();
        vm.prank(admin);
        auction.pause();
        vm.prank(lister);
        auction.cancel(id);
        assertEq(uint8(_get(id).status), uint8(ICommissaryAuction.Status.Cancelled));
    }

    // --- treasury ----------------------------------------------------------------------------------

    function test_setTreasury_onlyAdmin() public {
        address next = makeAddr("next");
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, DEFAULT_ADMIN_ROLE)
        );
        vm.prank(alice);
        auction.setTreasury(next);

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.TreasuryUpdated(treasury, next);
        vm.prank(admin);
        auction.setTreasury(next);
        assertEq(auction.treasury(), next);
    }

    function test_setTreasury_revertsForZeroAddress() public {
        vm.expectRevert(ICommissaryAuction.ZeroAddress.selector);
        vm.prank(admin);
        auction.setTreasury(address(0));
    }

    function test_setTreasury_keepsPauseAndCounter() public {
        _create();
        vm.prank(admin);
        auction.pause();
        vm.prank(admin);
        auction.setTreasury(makeAddr("next"));
        assertTrue(auction.paused());
        assertEq(auction.auctionCount(), 1);
    }

    // --- nobody can move escrow ------------------------------------------------------------------------

    function test_noRoleCanMoveEscrowedTokens() public {
        uint256 id = _create();
        _bid(alice, id, RESERVE);
        uint256 escrow = token.balanceOf(address(auction));

        // Everything the admin and a lister can do leaves the escrow untouched.
        vm.startPrank(admin);
        auction.grantRole(listerRole, bob);
        auction.pause();
        auction.setTreasury(admin);
        auction.unpause();
        auction.revokeRole(listerRole, bob);
        auction.renounceRole(listerRole, admin);
        vm.stopPrank();
        vm.prank(lister);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionHasBids.selector, id));
        auction.cancel(id);
        assertEq(token.balanceOf(address(auction)), escrow);
        assertEq(token.allowance(address(auction), admin), 0);

        // The only exits: refund on outbid, settlement to the treasury, withdraw of credits.
        uint96 next = uint96(auction.minNextBid(id));
        _bid(bob, id, next);
        assertEq(token.balanceOf(address(auction)), next);
    }

    // --- views -------------------------------------------------------------------------------------

    function test_minNextBid_isReserveBeforeFirstBid() public {
        uint256 id = _create();
        assertEq(auction.minNextBid(id), RESERVE);
    }

    function test_minNextBid_afterBid() public {
        uint256 id = _create();
        _bid(alice, id, 200e18);
        assertEq(auction.minNextBid(id), 210e18);
    }

    function test_minNextBid_revertsForUnknownAuction() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, 3));
        auction.minNextBid(3);
    }

    function test_minNextBid_canExceedUint96() public {
        uint256 id = _createWith(type(uint96).max, T0, T0 + DURATION, 10_000, WINDOW);
        vm.prank(admin);
        token.mint(alice, type(uint96).max);
        _bid(alice, id, type(uint96).max);
        assertEq(auction.minNextBid(id), uint256(type(uint96).max) * 2);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICommissaryAuction.BidTooLow.selector, id, type(uint96).max, uint256(type(uint96).max) * 2
            )
        );
        _bid(bob, id, type(uint96).max);
    }

    function test_getAuction_unknownIsEmpty() public view {
        ICommissaryAuction.Auction memory a = _get(12_345);
        assertEq(uint8(a.status), uint8(ICommissaryAuction.Status.None));
        assertEq(a.reservePrice, 0);
        assertEq(a.highestBidder, address(0));
        assertEq(a.highestBid, 0);
    }

    function test_credits_zeroByDefault() public view {
        assertEq(auction.credits(alice), 0);
    }

    function test_setTreasury_revertsForTheAuctionItself() public {
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidTreasury.selector, address(auction)));
        vm.prank(admin);
        auction.setTreasury(address(auction));
        assertEq(auction.treasury(), treasury);
    }

    function test_constructor_revertsWhenTreasuryIsTheAuctionItself() public {
        address next = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.InvalidTreasury.selector, next));
        new CommissaryAuction(address(token), next, admin);
    }
}
