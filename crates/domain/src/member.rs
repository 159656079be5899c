//! A member's side of the auctions they bid on.

use crate::address::Address;
use crate::listing::ListingStatus;

crate::string_enum!(
    /// Where a member stands in an auction they bid on.
    pub BidderState {
        /// The member holds the highest bid of a running auction.
        Winning => "winning",
        /// Someone bid more; the member can still raise.
        Outbid => "outbid",
        /// The auction is over and the member's bid is the winning one.
        Won => "won",
        /// The auction is over and someone else's bid won.
        Lost => "lost",
        /// The auction was cancelled.
        Cancelled => "cancelled",
    }
);

/// The state of `member` in an auction whose listing is in `status`, where `leader` is the
/// highest bidder (the winner once it is over). The chain decides the winner when the end
/// passes, so an ended auction is won or lost before it is settled.
pub fn bidder_state(status: ListingStatus, leader: Option<Address>, member: Address) -> BidderState {
    let leads = leader == Some(member);
    match status {
        ListingStatus::Cancelled => BidderState::Cancelled,
        ListingStatus::Ended | ListingStatus::Settled | ListingStatus::Unsold => {
            if leads {
                BidderState::Won
            } else {
                BidderState::Lost
            }
        }
        ListingStatus::Draft | ListingStatus::Publishing | ListingStatus::Scheduled | ListingStatus::Live => {
            if leads {
                BidderState::Winning
            } else {
                BidderState::Outbid
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: Address = Address([1; 20]);
    const OTHER: Address = Address([2; 20]);

    #[test]
    fn running_auctions_are_winning_or_outbid() {
        assert_eq!(bidder_state(ListingStatus::Live, Some(ME), ME), BidderState::Winning);
        assert_eq!(bidder_state(ListingStatus::Live, Some(OTHER), ME), BidderState::Outbid);
        // A reorg can take every bid back: nobody leads, so the member is not winning.
        assert_eq!(bidder_state(ListingStatus::Live, None, ME), BidderState::Outbid);
    }

    #[test]
    fn closed_auctions_are_won_or_lost_before_and_after_settlement() {
        for status in [ListingStatus::Ended, ListingStatus::Settled] {
            assert_eq!(bidder_state(status, Some(ME), ME), BidderState::Won, "{status}");
            assert_eq!(bidder_state(status, Some(OTHER), ME), BidderState::Lost, "{status}");
        }
        assert_eq!(bidder_state(ListingStatus::Unsold, None, ME), BidderState::Lost);
    }

    #[test]
    fn cancelled_wins_over_everything() {
        assert_eq!(bidder_state(ListingStatus::Cancelled, Some(ME), ME), BidderState::Cancelled);
        assert_eq!(bidder_state(ListingStatus::Cancelled, None, ME), BidderState::Cancelled);
    }

    #[test]
    fn states_have_stable_names() {
        let names: Vec<&str> =
            [BidderState::Winning, BidderState::Outbid, BidderState::Won, BidderState::Lost, BidderState::Cancelled]
                .iter()
                .map(|s| s.as_str())
                .collect();
        assert_eq!(names, ["winning", "outbid", "won", "lost", "cancelled"]);
    }
}
