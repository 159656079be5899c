// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {CommissaryAuction} from "../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";
import {MockERC1271Wallet} from "./utils/mocks/MockERC1271Wallet.sol";

/// @notice Maximum-bid authorizations: bidByMaxBid(WithPermit), hashing, binding, expiry, revocation.
contract MaxBidTest is AuctionFixture {
    uint256 internal id;
    address internal dave;
    uint256 internal davePk;

    function setUp() public override {
        super.setUp();
        id = _create();
        // dave holds tokens but never approved the auction
        (dave, davePk) = makeAddrAndKey("dave");
        vm.prank(admin);
        token.mint(dave, FUNDS);
    }

    function _bidByMax(ICommissaryAuction.MaxBid memory m, uint256 pk) internal {
        bytes memory sig = _signMaxBid(pk, m);
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);
    }

    // --- types and hashing ---------------------------------------------------------------------------

    function test_maxBidTypehashes_matchTypeStrings() public view {
        assertEq(
            auction.MAX_BID_TYPEHASH(),
            keccak256("MaxBid(address bidder,uint256 auctionId,uint96 maxAmount,uint256 salt,uint256 deadline)")
        );
        assertEq(
            auction.MAX_BID_REVOCATION_TYPEHASH(), keccak256("MaxBidRevocation(address bidder,bytes32 maxBidHash)")
        );
    }

    function test_hashMaxBid_isTheEip712Digest() public view {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        assertEq(auction.hashMaxBid(m), _maxBidDigest(auction, m));
        m.salt = 1;
        assertNotEq(auction.hashMaxBid(m), _maxBidDigest(auction, _newMaxBid(alice, id, 500e18)));
    }

    // --- bidByMaxBid: what it places -------------------------------------------------------------------

    function test_maxBid_firstBidIsTheReserve() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        uint256 aliceBefore = token.balanceOf(alice);

        bytes32 h = auction.hashMaxBid(m);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.MaxBidUsed(id, alice, h, RESERVE, bytes32(0));
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, RESERVE, T0 + DURATION);
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);

        assertEq(_get(id).highestBidder, alice);
        assertEq(_get(id).highestBid, RESERVE);
        assertEq(token.balanceOf(alice), aliceBefore - RESERVE);
        assertEq(token.balanceOf(relayer), 0);
    }

    function test_maxBid_outbidsAtExactlyMinNextBidAndRefunds() public {
        _bid(bob, id, 120e18);
        uint96 next = uint96(auction.minNextBid(id)); // 126e18
        uint256 bobBefore = token.balanceOf(bob);
        uint256 aliceBefore = token.balanceOf(alice);

        _bidByMax(_newMaxBid(alice, id, 500e18), alicePk);

        assertEq(next, 126e18);
        assertEq(_get(id).highestBidder, alice);
        assertEq(_get(id).highestBid, next);
        assertEq(token.balanceOf(bob), bobBefore + 120e18);
        assertEq(token.balanceOf(alice), aliceBefore - next);
        assertEq(token.balanceOf(address(auction)), next);
    }

    function test_maxBid_isReusableUntilTheMaximum() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 130e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig); // 100
        _bid(bob, id, 105e18);
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig); // 110.25
        assertEq(_get(id).highestBid, 110.25e18);
        _bid(bob, id, 124e18);
        // min next = 130.2 > 130: the maximum is exhausted
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.MaxBidTooLow.selector, id, 130e18, 130.2e18));
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_acceptsMaximumEqualToMinNextBid() public {
        _bid(bob, id, RESERVE);
        _bidByMax(_newMaxBid(alice, id, 105e18), alicePk);
        assertEq(_get(id).highestBid, 105e18);
    }

    function test_maxBid_extendsInTheSoftCloseWindow() public {
        _bid(bob, id, RESERVE);
        vm.warp(T0 + DURATION - 60);
        uint40 extended = uint40(block.timestamp) + WINDOW;
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, 105e18, extended);
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);
        assertEq(_get(id).endTime, extended);
    }

    function test_maxBid_withPermitBidsWithoutPriorApproval() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(dave, id, 300e18);
        bytes memory sig = _signMaxBid(davePk, m);
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, 300e18, block.timestamp + 1 hours);
        vm.prank(relayer);
        auction.bidByMaxBidWithPermit(m, sig, p);
        assertEq(_get(id).highestBidder, dave);
        assertEq(token.allowance(dave, address(auction)), 300e18 - RESERVE);
    }

    function test_maxBid_withPermitSucceedsWhenPermitWasFrontRun() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(dave, id, 300e18);
        bytes memory sig = _signMaxBid(davePk, m);
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, 300e18, block.timestamp + 1 hours);
        token.permit(dave, address(auction), p.value, p.deadline, p.v, p.r, p.s);
        vm.prank(relayer);
        auction.bidByMaxBidWithPermit(m, sig, p);
        assertEq(_get(id).highestBidder, dave);
    }

    function test_maxBid_withPermitRevertsWithoutAllowance() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(dave, id, 300e18);
        bytes memory sig = _signMaxBid(davePk, m);
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, 300e18, block.timestamp + 1 hours);
        p.s = bytes32(uint256(p.s) ^ 1);
        vm.expectRevert(ICommissaryAuction.TokenTransferFailed.selector);
        vm.prank(relayer);
        auction.bidByMaxBidWithPermit(m, sig, p);
    }

    function test_maxBid_supportsERC1271Wallets() public {
        MockERC1271Wallet wallet = new MockERC1271Wallet(dave);
        vm.prank(admin);
        token.mint(address(wallet), FUNDS);
        vm.prank(dave);
        wallet.approve(token, address(auction), type(uint256).max);
        ICommissaryAuction.MaxBid memory m = _newMaxBid(address(wallet), id, 300e18);
        _bidByMax(m, davePk);
        assertEq(_get(id).highestBidder, address(wallet));
    }

    // --- bidByMaxBid: what it refuses ------------------------------------------------------------------

    function test_maxBid_revertsWhenBidderAlreadyLeads() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AlreadyLeading.selector, id, alice));
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);
        // also when the lead came from a hand bid
        uint256 other = _create();
        _bid(alice, other, RESERVE);
        ICommissaryAuction.MaxBid memory m2 = _newMaxBid(alice, other, 500e18);
        bytes memory sig2 = _signMaxBid(alicePk, m2);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AlreadyLeading.selector, other, alice));
        auction.bidByMaxBid(m2, sig2);
    }

    function test_maxBid_revertsWhenMaximumBelowReserve() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, RESERVE - 1);
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.MaxBidTooLow.selector, id, RESERVE - 1, RESERVE));
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsWhenRevoked() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        bytes32 h = auction.hashMaxBid(m);
        vm.prank(alice);
        auction.revokeMaxBid(h);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuthorizationRevoked.selector, h));
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsWhenRevokedBySignature() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        bytes32 h = auction.hashMaxBid(m);
        bytes memory revocation = _signRevocation(alicePk, alice, h);
        vm.prank(relayer);
        auction.revokeMaxBidBySig(alice, h, revocation);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuthorizationRevoked.selector, h));
        vm.prank(relayer);
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsAfterDeadline() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.warp(m.deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.SignatureExpired.selector, m.deadline));
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_acceptedAtDeadline() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        m.deadline = block.timestamp + 1 hours;
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.warp(m.deadline);
        auction.bidByMaxBid(m, sig);
        assertEq(_get(id).highestBidder, alice);
    }

    function test_maxBid_revertsForAnotherAuction() public {
        uint256 other = _create();
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        m.auctionId = other;
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsOnAnotherChain() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.chainId(block.chainid + 1);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsForAnotherContract() public {
        CommissaryAuction twin = new CommissaryAuction(address(token), treasury, admin);
        vm.prank(admin);
        uint256 twinId = twin.createAuction(keccak256("listing"), RESERVE, uint40(block.timestamp), _end(), BPS, WINDOW);
        assertEq(twinId, id);
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m); // signed for `auction`
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        twin.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsForAnotherBidder() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(bobPk, m); // bob signs alice's authorization
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidByMaxBid(m, sig);
        bytes memory aliceSig = _signMaxBid(alicePk, _newMaxBid(alice, id, 500e18));
        m.bidder = bob; // alice's signature claimed for bob
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidByMaxBid(m, aliceSig);
    }

    function test_maxBid_revertsWhenMaximumAltered() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        m.maxAmount = 501e18;
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsForUnknownIds() public {
        uint256[4] memory ids = [id + 2 ** 255, id + 2 ** 128, 2 ** 64, auction.auctionCount() + 1];
        for (uint256 i = 0; i < ids.length; i++) {
            ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, ids[i], 500e18);
            bytes memory sig = _signMaxBid(alicePk, m);
            vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionNotFound.selector, ids[i]));
            auction.bidByMaxBid(m, sig);
        }
    }

    function test_maxBid_revertsWhenPaused() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        vm.prank(admin);
        auction.pause();
        vm.expectRevert(ICommissaryAuction.EnforcedPause.selector);
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsWhenEnded() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        _warpToEnd(id);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.AuctionEnded.selector, id, T0 + DURATION));
        auction.bidByMaxBid(m, sig);
    }

    function test_maxBid_revertsWhenSettledEvenForTheWinner() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes memory sig = _signMaxBid(alicePk, m);
        auction.bidByMaxBid(m, sig);
        _warpToEnd(id);
        auction.settle(id);
        vm.expectRevert(
            abi.encodeWithSelector(ICommissaryAuction.AuctionClosed.selector, id, ICommissaryAuction.Status.Settled)
        );
        auction.bidByMaxBid(m, sig);
    }

    // --- revocation --------------------------------------------------------------------------------------

    function test_revokeMaxBid_emitsOnceAndIsIdempotent() public {
        bytes32 h = auction.hashMaxBid(_newMaxBid(alice, id, 500e18));
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.MaxBidRevoked(alice, h);
        vm.prank(alice);
        auction.revokeMaxBid(h);
        assertTrue(auction.maxBidRevoked(alice, h));

        vm.recordLogs();
        vm.prank(alice);
        auction.revokeMaxBid(h);
        assertEq(vm.getRecordedLogs().length, 0);
        assertTrue(auction.maxBidRevoked(alice, h));
    }

    function test_revokeMaxBid_worksWhilePaused() public {
        bytes32 h = auction.hashMaxBid(_newMaxBid(alice, id, 500e18));
        vm.prank(admin);
        auction.pause();
        vm.prank(alice);
        auction.revokeMaxBid(h);
        assertTrue(auction.maxBidRevoked(alice, h));
    }

    function test_revokeMaxBid_cannotVoidAnotherBiddersAuthorization() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        bytes32 h = auction.hashMaxBid(m);
        vm.prank(bob);
        auction.revokeMaxBid(h); // recorded for bob only
        assertTrue(auction.maxBidRevoked(bob, h));
        assertFalse(auction.maxBidRevoked(alice, h));
        _bidByMax(m, alicePk);
        assertEq(_get(id).highestBidder, alice);
    }

    function test_revokeMaxBid_newSaltIsANewAuthorization() public {
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, id, 500e18);
        vm.prank(alice);
        auction.revokeMaxBid(auction.hashMaxBid(m));
        m.salt = 1;
        _bidByMax(m, alicePk);
        assertEq(_get(id).highestBidder, alice);
    }

    function test_revokeMaxBidBySig_submittedByAnyone() public {
        bytes32 h = auction.hashMaxBid(_newMaxBid(alice, id, 500e18));
        bytes memory revocation = _signRevocation(alicePk, alice, h);
        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.MaxBidRevoked(alice, h);
        vm.prank(relayer);
        auction.revokeMaxBidBySig(alice, h, revocation);
        assertTrue(auction.maxBidRevoked(alice, h));
        // a replay is a no-op
        auction.revokeMaxBidBySig(alice, h, revocation);
    }

    function test_revokeMaxBidBySig_revertsForAnotherSigner() public {
        bytes32 h = auction.hashMaxBid(_newMaxBid(alice, id, 500e18));
        bytes memory revocation = _signRevocation(bobPk, alice, h);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.revokeMaxBidBySig(alice, h, revocation);
        // alice's revocation of one hash does not revoke another
        bytes memory aliceRevocation = _signRevocation(alicePk, alice, h);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.revokeMaxBidBySig(alice, bytes32(uint256(h) ^ 1), aliceRevocation);
    }

    function test_revokeMaxBidBySig_revertsOnAnotherChain() public {
        bytes32 h = auction.hashMaxBid(_newMaxBid(alice, id, 500e18));
        bytes memory revocation = _signRevocation(alicePk, alice, h);
        vm.chainId(block.chainid + 1);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.revokeMaxBidBySig(alice, h, revocation);
    }

    // --- fuzz ----------------------------------------------------------------------------------------------

    /// @dev Whatever stands, a max bid places exactly minNextBid or reverts, and never goes above the max.
    function testFuzz_maxBid_placesExactlyMinNextBidOrReverts(uint96 standing, uint96 maxAmount, uint16 bps) public {
        bps = uint16(bound(bps, 1, 10_000));
        uint256 a = _createWith(RESERVE, uint40(block.timestamp), _end(), bps, WINDOW);
        standing = uint96(bound(standing, RESERVE, 1e23));
        _bid(bob, a, standing);
        uint256 minimum = auction.minNextBid(a);
        ICommissaryAuction.MaxBid memory m = _newMaxBid(alice, a, maxAmount);
        bytes memory sig = _signMaxBid(alicePk, m);
        if (maxAmount < minimum) {
            vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.MaxBidTooLow.selector, a, maxAmount, minimum));
            auction.bidByMaxBid(m, sig);
            assertEq(_get(a).highestBidder, bob);
        } else {
            auction.bidByMaxBid(m, sig);
            assertEq(_get(a).highestBidder, alice);
            assertEq(_get(a).highestBid, minimum);
            assertLe(_get(a).highestBid, maxAmount);
        }
    }
}
