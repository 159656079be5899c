//! The listing lifecycle and the questions asked of it.
//!
//! ```text
//! draft ──publish──► publishing ──auction created──► scheduled ─► live ─► ended ─► settled | unsold
//!   │  ▲                 │   ▲                            │          │
//!   │  └──rejected───────┘   └──────auction rolled back───┴──────────┘      (any of them) ─► cancelled
//!   └──withdraw──► cancelled
//! ```
//!
//! Drafts are the stewards'; from `publishing` on, the auction on chain decides (see
//! [`AuctionState::listing_status`]), so the service only ever writes the four
//! transitions of [`ListingTransition`] itself.

use chrono::{DateTime, Utc};

use crate::listing::{ListingDetails, ListingInput, ListingStatus};
use crate::projection::{AuctionState, AuctionStatus};
use crate::validation::ValidationErrors;

/// The moves the service makes itself; every other status change follows the auction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingTransition {
    /// A steward publishes a draft: it waits for its auction to be created.
    Publish,
    /// A steward withdraws a draft that was never published.
    Withdraw,
    /// The contract refused the auction for good (e.g. its schedule): back to editing.
    PublicationRejected,
}

impl ListingTransition {
    /// `(from, to)`.
    pub fn statuses(self) -> (ListingStatus, ListingStatus) {
        match self {
            Self::Publish => (ListingStatus::Draft, ListingStatus::Publishing),
            Self::Withdraw => (ListingStatus::Draft, ListingStatus::Cancelled),
            Self::PublicationRejected => (ListingStatus::Publishing, ListingStatus::Draft),
        }
    }
}

/// Why a listing cannot be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishRefused {
    NotDraft,
    /// Valid when written, not any more (e.g. its end has passed meanwhile).
    Invalid(ValidationErrors),
}

/// What cancelling a listing involves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// A draft: nothing is on chain, it is simply withdrawn.
    Withdraw,
    /// Its auction exists or is being created: cancel it on chain.
    OnChain,
    /// Nothing left to do.
    AlreadyCancelled,
}

/// Why a listing cannot be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelRefused {
    /// The contract refuses to cancel an auction someone bid on.
    AuctionHasBids,
    /// Ended, settled or unsold.
    AuctionOver,
}

/// The next step of a queued on-chain cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelStep {
    /// Cancelled, or nothing on chain to cancel (the listing is a draft again).
    Done,
    /// The auction is still being created.
    AwaitPublication,
    /// Published, but the indexer has not recorded the auction yet.
    AwaitIndexer,
    /// Send `cancel`.
    Send,
    Refused(CancelRefused),
}

impl ListingStatus {
    /// Only drafts may be edited, deleted or receive photos: once published, the
    /// listing hash on chain pins every field.
    pub fn can_edit(self) -> bool {
        self == Self::Draft
    }

    /// Whether the auction decides this status (every status but `draft`); the projection
    /// only ever writes listings in these.
    pub fn follows_auction(self) -> bool {
        self != Self::Draft
    }

    /// Every status [`Self::follows_auction`].
    pub fn following_auction() -> Vec<Self> {
        Self::ALL.iter().copied().filter(|s| s.follows_auction()).collect()
    }

    /// Whether a publish job still has work: the auction is not linked yet.
    pub fn awaits_auction(self) -> bool {
        self == Self::Publishing
    }

    /// Whether a steward may cancel now, given the bids on its auction so far.
    pub fn can_cancel(self, bid_count: u64) -> Result<Cancellation, CancelRefused> {
        match self {
            Self::Draft => Ok(Cancellation::Withdraw),
            Self::Publishing | Self::Scheduled | Self::Live if bid_count > 0 => Err(CancelRefused::AuctionHasBids),
            Self::Publishing | Self::Scheduled | Self::Live => Ok(Cancellation::OnChain),
            Self::Cancelled => Ok(Cancellation::AlreadyCancelled),
            Self::Ended | Self::Settled | Self::Unsold => Err(CancelRefused::AuctionOver),
        }
    }

    /// What a cancellation accepted earlier does now. An auction that ended meanwhile
    /// without bids is still cancelled (the contract allows it while it is open).
    pub fn cancel_step(self, auction: Option<&AuctionState>) -> CancelStep {
        match self {
            Self::Cancelled | Self::Draft => return CancelStep::Done,
            Self::Settled | Self::Unsold => return CancelStep::Refused(CancelRefused::AuctionOver),
            Self::Publishing => return CancelStep::AwaitPublication,
            Self::Scheduled | Self::Live | Self::Ended => {}
        }
        let Some(auction) = auction else { return CancelStep::AwaitIndexer };
        match auction.status {
            AuctionStatus::Cancelled => CancelStep::Done,
            AuctionStatus::Settled => CancelStep::Refused(CancelRefused::AuctionOver),
            AuctionStatus::Open if auction.bid_count > 0 => CancelStep::Refused(CancelRefused::AuctionHasBids),
            AuctionStatus::Open => CancelStep::Send,
        }
    }
}

/// How far in the past a start may be when the listing is published. A steward who picks
/// "now" in the editor clicks publish some seconds later; the auction opens at once either
/// way. Anything older would announce an opening time members never had the chance to see.
pub const PUBLISH_START_GRACE: chrono::Duration = chrono::Duration::minutes(1);

/// Whether a listing may be published at `now`: a draft whose details are still valid (a
/// draft written last week may end in the past), with at least one photo (`photo_count`)
/// and a description (members bid on what they can see and read), starting now or later.
/// Every problem is reported at once.
pub fn can_publish(
    status: ListingStatus,
    details: &ListingDetails,
    photo_count: usize,
    now: DateTime<Utc>,
) -> Result<(), PublishRefused> {
    if status != ListingStatus::Draft {
        return Err(PublishRefused::NotDraft);
    }
    let mut errors = details.patch(ListingInput::default(), now).err().unwrap_or_default();
    if photo_count == 0 {
        errors.push("photos", "required", "add at least one photo before publishing");
    }
    if details.description.trim().is_empty() {
        errors.push("description", "required", "write a description before publishing");
    }
    if details.schedule.starts_at < now - PUBLISH_START_GRACE && !errors.0.iter().any(|e| e.field == "starts_at") {
        errors.push("starts_at", "in_the_past", "the start has passed: pick a later one");
    }
    errors.finish(()).map_err(PublishRefused::Invalid)
}

/// The status of a listing whose auction a reorg removed (its creation was orphaned):
/// it waits for publication again, and its publish job runs again.
pub fn after_auction_vanished() -> ListingStatus {
    ListingStatus::Publishing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::AuctionEvent;
    use crate::listing::{Fulfilment, Pickup, Schedule, Shipping};
    use crate::money::TokenAmount;
    use crate::projection::tests::{created, logged, t};
    use crate::{Category, Condition};

    fn details(end: i64) -> ListingDetails {
        ListingDetails {
            title: "Rhodes".into(),
            description: String::new(),
            category: Category::Instruments,
            condition: Condition::Good,
            donor_credit: None,
            reserve_price: TokenAmount::from_u128(1).expect("amount"),
            schedule: Schedule { starts_at: t(end - 3600), ends_at: t(end) },
            min_increment_bps: 500,
            extension_secs: 0,
            fulfilment: Fulfilment {
                pickup: Pickup { available: true, location: None },
                shipping: Shipping::default(),
            },
        }
    }

    fn auction(bids: u64, status: AuctionStatus) -> AuctionState {
        let mut state = AuctionState::created(&created(1, 100, 200)).expect("created");
        state.bid_count = bids;
        state.status = status;
        state
    }

    #[test]
    fn only_drafts_are_edited() {
        for status in ListingStatus::ALL {
            assert_eq!(status.can_edit(), *status == ListingStatus::Draft, "{status}");
            assert_eq!(status.follows_auction(), !status.can_edit(), "{status}");
        }
        assert!(!ListingStatus::following_auction().contains(&ListingStatus::Draft));
        assert_eq!(ListingStatus::following_auction().len(), ListingStatus::ALL.len() - 1);
    }

    #[test]
    fn publishing_needs_a_draft_that_is_still_valid() {
        let now = t(10_000);
        let ready = ListingDetails { description: "Plays well.".into(), ..details(20_000) };
        assert_eq!(can_publish(ListingStatus::Draft, &ready, 1, now), Ok(()));
        assert_eq!(can_publish(ListingStatus::Publishing, &ready, 1, now), Err(PublishRefused::NotDraft));
        assert_eq!(can_publish(ListingStatus::Live, &ready, 1, now), Err(PublishRefused::NotDraft));
        let over = ListingDetails { description: "Plays well.".into(), ..details(9_000) };
        let Err(PublishRefused::Invalid(errors)) = can_publish(ListingStatus::Draft, &over, 1, now) else {
            panic!("an auction that is already over cannot be published");
        };
        assert_eq!(errors.0[0].code, "in_the_past");
    }

    fn refused_fields(details: &ListingDetails, photos: usize, now: DateTime<Utc>) -> Vec<(String, &'static str)> {
        match can_publish(ListingStatus::Draft, details, photos, now) {
            Ok(()) => vec![],
            Err(PublishRefused::Invalid(errors)) => errors.0.into_iter().map(|e| (e.field, e.code)).collect(),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn publishing_reports_every_missing_piece_at_once() {
        // details(20_000) starts at 16_400: past by more than the grace at 16_461.
        let bare = details(20_000);
        assert_eq!(
            refused_fields(&bare, 0, t(16_461)),
            [("photos".into(), "required"), ("description".into(), "required"), ("starts_at".into(), "in_the_past")]
        );
        let ready = ListingDetails { description: "Plays well.".into(), ..details(20_000) };
        assert_eq!(refused_fields(&ready, 1, t(16_461)), [("starts_at".into(), "in_the_past")]);
        assert_eq!(refused_fields(&ready, 1, t(16_460)), [], "a start within the grace opens at once");
        let blank = ListingDetails { description: " \n\t ".into(), ..details(20_000) };
        assert_eq!(refused_fields(&blank, 2, t(10_000)), [("description".into(), "required")]);
    }

    #[test]
    fn transitions_the_service_makes() {
        use ListingStatus::*;
        assert_eq!(ListingTransition::Publish.statuses(), (Draft, Publishing));
        assert_eq!(ListingTransition::Withdraw.statuses(), (Draft, Cancelled));
        assert_eq!(ListingTransition::PublicationRejected.statuses(), (Publishing, Draft));
        assert_eq!(after_auction_vanished(), Publishing);
        assert!(Publishing.awaits_auction() && !Live.awaits_auction() && !Draft.awaits_auction());
    }

    #[test]
    fn stewards_cancel_until_the_first_bid_or_the_end() {
        use ListingStatus::*;
        assert_eq!(Draft.can_cancel(0), Ok(Cancellation::Withdraw));
        for status in [Publishing, Scheduled, Live] {
            assert_eq!(status.can_cancel(0), Ok(Cancellation::OnChain), "{status}");
            assert_eq!(status.can_cancel(1), Err(CancelRefused::AuctionHasBids), "{status}");
        }
        assert_eq!(Cancelled.can_cancel(0), Ok(Cancellation::AlreadyCancelled));
        for status in [Ended, Settled, Unsold] {
            assert_eq!(status.can_cancel(0), Err(CancelRefused::AuctionOver), "{status}");
        }
    }

    #[test]
    fn a_queued_cancellation_follows_the_chain() {
        use ListingStatus::*;
        assert_eq!(Draft.cancel_step(None), CancelStep::Done, "publication was rejected: nothing on chain");
        assert_eq!(Cancelled.cancel_step(None), CancelStep::Done);
        assert_eq!(Publishing.cancel_step(None), CancelStep::AwaitPublication);
        assert_eq!(Live.cancel_step(None), CancelStep::AwaitIndexer);
        assert_eq!(Settled.cancel_step(None), CancelStep::Refused(CancelRefused::AuctionOver));
        assert_eq!(Live.cancel_step(Some(&auction(0, AuctionStatus::Open))), CancelStep::Send);
        assert_eq!(Ended.cancel_step(Some(&auction(0, AuctionStatus::Open))), CancelStep::Send, "ended, not settled");
        assert_eq!(
            Live.cancel_step(Some(&auction(2, AuctionStatus::Open))),
            CancelStep::Refused(CancelRefused::AuctionHasBids)
        );
        assert_eq!(Live.cancel_step(Some(&auction(0, AuctionStatus::Cancelled))), CancelStep::Done);
        assert_eq!(
            Ended.cancel_step(Some(&auction(0, AuctionStatus::Settled))),
            CancelStep::Refused(CancelRefused::AuctionOver)
        );
    }

    #[test]
    fn a_cancelled_auction_cancels_its_listing() {
        let mut state = AuctionState::created(&created(1, 100, 200)).expect("created");
        state.apply(&logged(2, AuctionEvent::AuctionCancelled)).expect("apply");
        assert_eq!(state.listing_status(t(150)), ListingStatus::Cancelled);
    }
}
