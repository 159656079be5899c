// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {Vm} from "forge-std/Vm.sol";

import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";

/// @notice Ids that were never created are unknown on every path. `2 * id` wraps at 2**256, so
///         `id + 2**255` used to read and write auction `id`'s storage (bid on it, settle it, report it
///         from getAuction) while events named the forged id.
contract UnknownIdsTest is AuctionFixture {
    uint256 internal id;
    uint256 internal other;

    function setUp() public override {
        super.setUp();
        id = _create();
        other = _create();
        _bid(alice, id, RESERVE);
    }

    /// @dev The forged ids the issue names, all aliasing or near `id`, plus the plain unknown ones.
    function _unknownIds() internal view returns (uint256[] memory ids) {
        ids = new uint256[](7);
        ids[0] = id + 2 ** 255; // same storage slots as `id` before the fix
        ids[1] = id + 2 ** 128;
        ids[2] = 2 ** 64;
        ids[3] = auction.auctionCount() + 1;
        ids[4] = 0;
        ids[5] = type(uint256).max;
        ids[6] = id + 2 ** 64;
    }

    function _notFound(uint256 x) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, x);
    }

    function _snapshot() internal view returns (bytes32) {
        return keccak256(abi.encode(_get(id), _get(other), token.balanceOf(address(auction))));
    }

    function test_bid_revertsForUnknownIds() public {
        bytes32 before = _snapshot();
        uint256[] memory ids = _unknownIds();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.expectRevert(_notFound(ids[i]));
            _bid(bob, ids[i], RESERVE * 2);
        }
        assertEq(_snapshot(), before, "no auction changed");
        assertEq(_get(id).highestBidder, alice);
    }

    function test_bidWithPermit_revertsForUnknownIds() public {
        uint256[] memory ids = _unknownIds();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.expectRevert(_notFound(ids[i]));
            vm.prank(bob);
            auction.bidWithPermit(ids[i], RESERVE * 2, 0, 27, bytes32(0), bytes32(0));
        }
        assertEq(_get(id).highestBidder, alice);
    }

    function test_bidBySig_revertsForUnknownIds() public {
        uint256[] memory ids = _unknownIds();
        for (uint256 i = 0; i < ids.length; i++) {
            ICommissaryAuction.Bid memory b = _newBid(bob, ids[i], RESERVE * 2);
            bytes memory sig = _signBid(bobPk, b);
            vm.expectRevert(_notFound(ids[i]));
            vm.prank(relayer);
            auction.bidBySig(b, sig);
            ICommissaryAuction.Permit memory p = _signPermit(bobPk, bob, RESERVE * 2, block.timestamp + 1 hours);
            vm.expectRevert(_notFound(ids[i]));
            vm.prank(relayer);
            auction.bidBySigWithPermit(b, sig, p);
        }
        assertEq(auction.nonces(bob), 0, "nothing consumed");
        assertEq(_get(id).highestBidder, alice);
    }

    function test_settle_revertsForUnknownIds() public {
        _warpToEnd(id);
        uint256[] memory ids = _unknownIds();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.expectRevert(_notFound(ids[i]));
            auction.settle(ids[i]);
        }
        // The real auction is untouched and settles under its own id.
        assertEq(uint8(_get(id).status), uint8(ICommissaryAuction.Status.Open));
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.AuctionSettled(id, alice, RESERVE);
        auction.settle(id);
        assertEq(token.balanceOf(treasury), RESERVE);
    }

    function test_settleMany_skipsUnknownIds() public {
        _warpToEnd(id);
        uint256[] memory ids = _unknownIds();
        vm.recordLogs();
        assertEq(auction.settleMany(ids), 0);
        assertEq(vm.getRecordedLogs().length, 0, "no event, no transfer");
        assertEq(uint8(_get(id).status), uint8(ICommissaryAuction.Status.Open));

        // Mixed with real ids, in every position (the loop handles ids in pairs plus an odd one).
        uint256[] memory mixed = new uint256[](4);
        mixed[0] = id + 2 ** 255;
        mixed[1] = id;
        mixed[2] = other + 2 ** 255;
        mixed[3] = other;
        vm.recordLogs();
        assertEq(auction.settleMany(mixed), 2);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 settledEvents;
        for (uint256 i = 0; i < logs.length; i++) {
            if (logs[i].topics[0] == ICommissaryAuction.AuctionSettled.selector) {
                settledEvents++;
                uint256 named = uint256(logs[i].topics[1]);
                assertTrue(named == id || named == other, "events name real ids only");
            }
        }
        assertEq(settledEvents, 2);
        assertEq(token.balanceOf(treasury), RESERVE);
    }

    function test_cancel_revertsForUnknownIds() public {
        uint256[] memory ids = _unknownIds();
        for (uint256 i = 0; i < ids.length; i++) {
            // `other` has no bid: an alias of it must not cancel it.
            uint256 x = i == 1 ? other + 2 ** 255 : ids[i];
            vm.expectRevert(_notFound(x));
            vm.prank(lister);
            auction.cancel(x);
        }
        assertEq(uint8(_get(other).status), uint8(ICommissaryAuction.Status.Open));
    }

    function test_minNextBid_revertsForUnknownIds() public {
        uint256[] memory ids = _unknownIds();
        for (uint256 i = 0; i < ids.length; i++) {
            vm.expectRevert(_notFound(ids[i]));
            auction.minNextBid(ids[i]);
        }
    }

    function test_getAuction_isEmptyForUnknownIds() public view {
        uint256[] memory ids = _unknownIds();
        bytes32 empty = keccak256(
            abi.encode(ICommissaryAuction.Auction(0, 0, 0, 0, 0, ICommissaryAuction.Status.None, address(0), 0))
        );
        for (uint256 i = 0; i < ids.length; i++) {
            assertEq(keccak256(abi.encode(_get(ids[i]))), empty);
        }
    }

    function testFuzz_unknownIdsAreUnknownEverywhere(uint256 x) public {
        vm.assume(x == 0 || x > auction.auctionCount());
        vm.expectRevert(_notFound(x));
        _bid(bob, x, RESERVE * 2);
        vm.warp(T0 + DURATION);
        vm.expectRevert(_notFound(x));
        auction.settle(x);
        uint256[] memory ids = new uint256[](1);
        ids[0] = x;
        assertEq(auction.settleMany(ids), 0);
        vm.expectRevert(_notFound(x));
        vm.prank(lister);
        auction.cancel(x);
        vm.expectRevert(_notFound(x));
        auction.minNextBid(x);
        assertEq(uint8(_get(x).status), uint8(ICommissaryAuction.Status.None));
        assertEq(_get(id).highestBidder, alice);
    }
}
