// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {ICommissaryAuction} from "../src/interfaces/ICommissaryAuction.sol";
import {AuctionFixture} from "./utils/AuctionFixture.sol";
import {MockERC1271Wallet} from "./utils/mocks/MockERC1271Wallet.sol";

/// @notice bidWithPermit, the EIP-712 relayed bid (bidBySig / bidBySigWithPermit) and the domain.
contract RelayedBidTest is AuctionFixture {
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

    // --- EIP-712 domain ----------------------------------------------------------------------------

    function test_eip712Domain_describesTheAuction() public view {
        (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        ) = auction.eip712Domain();
        assertEq(fields, hex"0f");
        assertEq(name, "CommissaryAuction");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(auction));
        assertEq(salt, bytes32(0));
        assertEq(extensions.length, 0);

        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("CommissaryAuction"),
                keccak256("1"),
                block.chainid,
                address(auction)
            )
        );
        assertEq(auction.DOMAIN_SEPARATOR(), expected);
    }

    function test_bidTypehash_matchesTypeString() public view {
        assertEq(
            auction.BID_TYPEHASH(),
            keccak256("Bid(address bidder,uint256 auctionId,uint96 amount,uint256 nonce,uint256 deadline)")
        );
    }

    // --- bidWithPermit -----------------------------------------------------------------------------

    function test_bidWithPermit_bidsWithoutPriorApproval() public {
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, RESERVE, block.timestamp + 1 hours);
        vm.prank(dave);
        auction.bidWithPermit(id, RESERVE, p.deadline, p.v, p.r, p.s);
        assertEq(_get(id).highestBidder, dave);
        assertEq(token.balanceOf(dave), FUNDS - RESERVE);
        assertEq(token.nonces(dave), 1);
    }

    function test_bidWithPermit_succeedsWhenPermitWasFrontRun() public {
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, RESERVE, block.timestamp + 1 hours);
        // Someone submits dave's permit first; the bid must still go through on the allowance.
        token.permit(dave, address(auction), RESERVE, p.deadline, p.v, p.r, p.s);
        vm.prank(dave);
        auction.bidWithPermit(id, RESERVE, p.deadline, p.v, p.r, p.s);
        assertEq(_get(id).highestBidder, dave);
    }

    function test_bidWithPermit_usesExistingAllowanceWhenPermitIsGarbage() public {
        vm.prank(alice);
        auction.bidWithPermit(id, RESERVE, 0, 27, bytes32(uint256(1)), bytes32(uint256(2)));
        assertEq(_get(id).highestBidder, alice);
    }

    function test_bidWithPermit_revertsWhenPermitInvalidAndNoAllowance() public {
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, RESERVE, block.timestamp + 1 hours);
        vm.expectRevert(ICommissaryAuction.TokenTransferFailed.selector);
        vm.prank(dave);
        auction.bidWithPermit(id, RESERVE, p.deadline, p.v, p.r, bytes32(uint256(p.s) ^ 1));
    }

    // --- bidBySig ------------------------------------------------------------------------------------

    function test_bidBySig_placesBidForSigner() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        bytes memory sig = _signBid(alicePk, b);
        uint256 aliceBefore = token.balanceOf(alice);

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, alice, RESERVE, T0 + DURATION);
        vm.prank(relayer);
        auction.bidBySig(b, sig);

        assertEq(_get(id).highestBidder, alice);
        assertEq(token.balanceOf(alice), aliceBefore - RESERVE);
        assertEq(token.balanceOf(relayer), 0);
        assertEq(auction.nonces(alice), 1);
    }

    function test_bidBySig_outbidRefundsPreviousBidder() public {
        _bid(bob, id, RESERVE);
        uint96 next = uint96(auction.minNextBid(id));
        ICommissaryAuction.Bid memory b = _newBid(alice, id, next);
        bytes memory sig = _signBid(alicePk, b);
        uint256 bobBefore = token.balanceOf(bob);
        vm.prank(relayer);
        auction.bidBySig(b, sig);
        assertEq(token.balanceOf(bob), bobBefore + RESERVE);
        assertEq(_get(id).highestBidder, alice);
    }

    function test_bidBySig_revertsOnReplay() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        bytes memory sig = _signBid(alicePk, b);
        vm.prank(relayer);
        auction.bidBySig(b, sig);

        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 1));
        vm.prank(relayer);
        auction.bidBySig(b, sig);
    }

    function test_bidBySig_revertsWithWrongNonce() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        b.nonce = 5;
        bytes memory sig = _signBid(alicePk, b);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 0));
        auction.bidBySig(b, sig);
    }

    function test_bidBySig_revertsWhenExpired() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        b.deadline = block.timestamp - 1;
        bytes memory sig = _signBid(alicePk, b);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.SignatureExpired.selector, b.deadline));
        auction.bidBySig(b, sig);
    }

    function test_bidBySig_acceptsDeadlineEqualToNow() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        b.deadline = block.timestamp;
        auction.bidBySig(b, _signBid(alicePk, b));
        assertEq(_get(id).highestBidder, alice);
    }

    function test_bidBySig_revertsWhenSignedByAnotherKey() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        bytes memory sig = _signBid(bobPk, b);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidBySig(b, sig);
    }

    function test_bidBySig_revertsWhenAmountTampered() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        bytes memory sig = _signBid(alicePk, b);
        b.amount = RESERVE * 10;
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidBySig(b, sig);
    }

    function test_bidBySig_revertsWhenAuctionTampered() public {
        uint256 other = _create();
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        bytes memory sig = _signBid(alicePk, b);
        b.auctionId = other;
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidBySig(b, sig);
    }

    function test_bidBySig_revertsWithMalformedSignature() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidBySig(b, hex"1234");
    }

    function test_bidBySig_revertsForZeroBidder() public {
        ICommissaryAuction.Bid memory b = _newBid(address(0), id, RESERVE);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidBySig(b, new bytes(65));
    }

    function test_bidBySig_appliesBidRules() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE - 1);
        bytes memory sig = _signBid(alicePk, b);
        vm.expectRevert(abi.encodeWithSelector(ICommissaryAuction.BidTooLow.selector, id, RESERVE - 1, RESERVE));
        auction.bidBySig(b, sig);
        assertEq(auction.nonces(alice), 0, "nonce not consumed by a reverted bid");
    }

    function test_bidBySig_revertsWhenPaused() public {
        vm.prank(admin);
        auction.pause();
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        bytes memory sig = _signBid(alicePk, b);
        vm.expectRevert(ICommissaryAuction.EnforcedPause.selector);
        auction.bidBySig(b, sig);
    }

    function test_bidBySig_supportsERC1271Wallets() public {
        MockERC1271Wallet wallet = new MockERC1271Wallet(dave);
        vm.prank(admin);
        token.mint(address(wallet), FUNDS);
        vm.prank(dave);
        wallet.approve(token, address(auction), type(uint256).max);

        ICommissaryAuction.Bid memory b = _newBid(address(wallet), id, RESERVE);
        bytes memory sig = _signBid(davePk, b);
        vm.prank(relayer);
        auction.bidBySig(b, sig);
        assertEq(_get(id).highestBidder, address(wallet));

        ICommissaryAuction.Bid memory b2 = _newBid(address(wallet), id, uint96(auction.minNextBid(id)));
        bytes memory badSig = _signBid(alicePk, b2);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidBySig(b2, badSig);
    }

    // --- bidBySigWithPermit ----------------------------------------------------------------------

    function test_bidBySigWithPermit_bidsWithTwoSignaturesOnly() public {
        ICommissaryAuction.Bid memory b = _newBid(dave, id, RESERVE);
        bytes memory sig = _signBid(davePk, b);
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, RESERVE, block.timestamp + 1 hours);

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.BidPlaced(id, dave, RESERVE, T0 + DURATION);
        vm.prank(relayer);
        auction.bidBySigWithPermit(b, sig, p);
        assertEq(token.balanceOf(dave), FUNDS - RESERVE);
        assertEq(auction.nonces(dave), 1);
        assertEq(token.nonces(dave), 1);
    }

    function test_bidBySigWithPermit_succeedsWhenPermitWasFrontRun() public {
        ICommissaryAuction.Bid memory b = _newBid(dave, id, RESERVE);
        bytes memory sig = _signBid(davePk, b);
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, RESERVE, block.timestamp + 1 hours);
        token.permit(dave, address(auction), p.value, p.deadline, p.v, p.r, p.s);
        vm.prank(relayer);
        auction.bidBySigWithPermit(b, sig, p);
        assertEq(_get(id).highestBidder, dave);
    }

    function test_bidBySigWithPermit_revertsWhenPermitIsForAnotherOwner() public {
        // The permit is always applied to the signed bidder: a permit signed by dave cannot fund a bid
        // signed by erin, who has no allowance.
        (address erin, uint256 erinPk) = makeAddrAndKey("erin");
        vm.prank(admin);
        token.mint(erin, FUNDS);
        ICommissaryAuction.Bid memory b = _newBid(erin, id, RESERVE);
        bytes memory sig = _signBid(erinPk, b);
        ICommissaryAuction.Permit memory p = _signPermit(davePk, dave, RESERVE, block.timestamp + 1 hours);
        vm.expectRevert(ICommissaryAuction.TokenTransferFailed.selector);
        auction.bidBySigWithPermit(b, sig, p);
    }

    function testFuzz_bidBySig_onlyTheSignerCanAuthorize(uint256 signerPk, uint96 amount) public {
        signerPk = bound(signerPk, 1, 2 ** 128);
        vm.assume(signerPk != alicePk);
        amount = uint96(bound(amount, RESERVE, FUNDS));
        ICommissaryAuction.Bid memory b = _newBid(alice, id, amount);
        bytes memory sig = _signBid(signerPk, b);
        vm.expectRevert(ICommissaryAuction.InvalidSignature.selector);
        auction.bidBySig(b, sig);
        auction.bidBySig(b, _signBid(alicePk, b));
        assertEq(_get(id).highestBid, amount);
    }

    // --- invalidateNonce -----------------------------------------------------------------------------

    function test_invalidateNonce_voidsOutstandingSignedBids() public {
        ICommissaryAuction.Bid memory b = _newBid(alice, id, RESERVE);
        bytes memory sig = _signBid(alicePk, b);

        vm.expectEmit(true, true, true, true, address(auction));
        emit ICommissaryAuction.NonceInvalidated(alice, 0);
        vm.prank(alice);
        assertEq(auction.invalidateNonce(), 0);
        assertEq(auction.nonces(alice), 1);

        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 1));
        vm.prank(relayer);
        auction.bidBySig(b, sig);
        ICommissaryAuction.Permit memory p = _signPermit(alicePk, alice, RESERVE, block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 1));
        vm.prank(relayer);
        auction.bidBySigWithPermit(b, sig, p);
        assertEq(_get(id).highestBidder, address(0));

        // A bid signed with the new nonce works.
        ICommissaryAuction.Bid memory fresh = _newBid(alice, id, RESERVE);
        assertEq(fresh.nonce, 1);
        vm.prank(relayer);
        auction.bidBySig(fresh, _signBid(alicePk, fresh));
        assertEq(_get(id).highestBidder, alice);
    }

    function test_invalidateNonce_onlyTouchesTheCaller() public {
        vm.prank(alice);
        auction.invalidateNonce();
        vm.prank(alice);
        assertEq(auction.invalidateNonce(), 1);
        assertEq(auction.nonces(alice), 2);
        assertEq(auction.nonces(bob), 0);
        ICommissaryAuction.Bid memory b = _newBid(bob, id, RESERVE);
        vm.prank(relayer);
        auction.bidBySig(b, _signBid(bobPk, b));
        assertEq(_get(id).highestBidder, bob);
    }

    function test_invalidateNonce_worksWhilePaused() public {
        vm.prank(admin);
        auction.pause();
        vm.prank(alice);
        auction.invalidateNonce();
        assertEq(auction.nonces(alice), 1);
    }
}
