// SPDX-License-Identifier: MIT
pragma solidity 0.8.35;

import {Test} from "forge-std/Test.sol";

import {CommissaryAuction} from "../../src/CommissaryAuction.sol";
import {ICommissaryAuction} from "../../src/interfaces/ICommissaryAuction.sol";
import {AuctionHandler} from "../utils/AuctionHandler.sol";
import {HostileToken} from "../utils/mocks/MockTokens.sol";

/// @notice Handler-based invariants over random sequences of create / bid / bidWithPermit / relayed bid
///         (with and without permit) / max bid (with and without permit) / resolveMaxBids / revokeMaxBid
///         (direct and by signature) / invalidateNonce / settle / settleMany / cancel / withdraw / pause /
///         time warps / calls with never-created ids, with a token that refuses transfers to some
///         bidders (so refunds sometimes fail and become credits).
contract InvariantsTest is Test {
    CommissaryAuction internal auction;
    HostileToken internal token;
    AuctionHandler internal handler;
    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");

    function setUp() public {
        vm.warp(1_767_225_600);
        token = new HostileToken();
        auction = new CommissaryAuction(address(token), treasury, admin);
        handler = new AuctionHandler(auction, token, admin, treasury);
        targetContract(address(handler));
    }

    /// @dev The escrow holds exactly the live highest bids plus the credited refunds.
    function invariant_escrowEqualsLiveBidsPlusCredits() public view {
        uint256 live;
        uint256 n = auction.auctionCount();
        for (uint256 id = 1; id <= n; id++) {
            ICommissaryAuction.Auction memory a = auction.getAuction(id);
            if (a.status == ICommissaryAuction.Status.Open) live += a.highestBid;
        }
        uint256 credited;
        for (uint256 i = 0; i < handler.bidderCount(); i++) {
            credited += auction.credits(handler.bidders(i));
        }
        assertEq(token.balanceOf(address(auction)), live + credited);
    }

    /// @dev No auction settles twice, and every Settled auction was settled exactly once.
    function invariant_eachAuctionSettlesAtMostOnce() public view {
        uint256 n = auction.auctionCount();
        for (uint256 id = 1; id <= n; id++) {
            uint256 count = handler.settleCount(id);
            assertLe(count, 1);
            assertEq(count == 1, auction.getAuction(id).status == ICommissaryAuction.Status.Settled);
        }
    }

    /// @dev An auction's highest bid never goes down (cancelled auctions never had one).
    function invariant_highestBidNeverDecreases() public view {
        assertFalse(handler.highestBidDecreased());
    }

    /// @dev Settled and cancelled auctions never change again.
    function invariant_closedAuctionsNeverChange() public view {
        assertFalse(handler.closedAuctionChanged());
    }

    /// @dev Tokens only move between bidders, escrow and treasury; none are created or lost.
    function invariant_tokensConserved() public view {
        uint256 sum = token.balanceOf(address(auction)) + token.balanceOf(treasury);
        for (uint256 i = 0; i < handler.bidderCount(); i++) {
            sum += token.balanceOf(handler.bidders(i));
        }
        assertEq(sum, token.totalSupply());
        assertEq(token.totalSupply(), handler.bidderCount() * 1e30);
    }

    /// @dev Calls with never-created ids (0, above the count, >= 2**64, aliases like id + 2**255) only
    ///      ever revert with AuctionNotFound, are skipped by settleMany and change nothing; a revoked
    ///      signed bid never goes through.
    function invariant_unknownIdsAndRevokedBidsAreRejected() public view {
        assertFalse(handler.unknownIdAccepted());
    }

    /// @dev Bids placed under MaxBid authorizations keep their rules: bidByMaxBid places exactly
    ///      minNextBid within the maximum and never for the leader; resolveMaxBids follows eBay's rule;
    ///      revoked authorizations are refused.
    function invariant_maxBidRulesHold() public view {
        assertFalse(handler.maxBidRuleBroken());
    }

    /// @dev Each bidder's nonce counts its relayed bids plus its revocations.
    function invariant_noncesCountRelayedBidsAndRevocations() public view {
        for (uint256 i = 0; i < handler.bidderCount(); i++) {
            address who = handler.bidders(i);
            assertEq(auction.nonces(who), handler.ghostNoncesUsed(who));
        }
    }

    /// @dev The treasury received exactly the winning bids of settled auctions.
    function invariant_treasuryReceivedWinningBids() public view {
        assertEq(token.balanceOf(treasury), handler.ghostSettledTotal());
    }
}
