//! Fulfillment of won gear: the winner claims the item (pickup or shipping, with the
//! contact details the co-op needs), stewards move it along until it is handed over.
//!
//! ```text
//! awaiting_claim ──claim (winner)──► claimed ──steward──► ready_for_pickup ─┐
//!       │                              │                                    ├─► handed_over
//!       │                              └──────steward──► shipped ───────────┘   (steward, or
//!       └──steward, after claim_by──► unclaimed                                   winner's receipt)
//! ```
//!
//! The winner may amend the claim while it is `claimed`. Everything here is pure; the
//! adapters load the record, ask these rules, and store the outcome.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::ValidationErrors;

pub const NAME_MAX_CHARS: usize = 100;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const NOTE_MAX_CHARS: usize = 500;
pub const TRACKING_MAX_CHARS: usize = 100;
pub const ADDRESS_LINE_MAX_CHARS: usize = 100;
pub const ADDRESS_MAX_LINES: usize = 3;

/// What replaces personal data once it has been erased.
pub const REDACTED: &str = "[redacted]";

crate::string_enum!(
    /// Where a won item is on its way to the winner.
    #[derive(PartialOrd, Ord)]
    pub FulfillmentState {
        AwaitingClaim => "awaiting_claim",
        Claimed => "claimed",
        ReadyForPickup => "ready_for_pickup",
        Shipped => "shipped",
        HandedOver => "handed_over",
        Unclaimed => "unclaimed",
    }
);

crate::string_enum!(
    /// How the winner gets the item.
    pub Method {
        Pickup => "pickup",
        Shipping => "shipping",
    }
);

impl FulfillmentState {
    /// Closed records keep only history once their retention time has passed.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::HandedOver | Self::Unclaimed)
    }

    /// The winner may change the claim until the item is on its way.
    pub fn claim_is_open(self) -> bool {
        matches!(self, Self::AwaitingClaim | Self::Claimed)
    }
}

/// Who asks for a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Winner,
    Steward,
}

/// What a record looks like to the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Situation {
    pub state: FulfillmentState,
    pub method: Option<Method>,
    /// `claim_by` has passed.
    pub claim_period_over: bool,
}

/// The states `actor` may move a record to from where it is (claiming and amending are
/// not transitions: see [`claim_allowed`]).
pub fn allowed_transitions(situation: Situation, actor: Actor) -> Vec<FulfillmentState> {
    use FulfillmentState::*;
    match (actor, situation.state) {
        (Actor::Steward, AwaitingClaim) if situation.claim_period_over => vec![Unclaimed],
        (Actor::Steward, Claimed) => match situation.method {
            Some(Method::Pickup) => vec![ReadyForPickup],
            Some(Method::Shipping) => vec![Shipped],
            None => Vec::new(),
        },
        (Actor::Steward, ReadyForPickup | Shipped) => vec![HandedOver],
        (Actor::Winner, ReadyForPickup | Shipped) => vec![HandedOver],
        _ => Vec::new(),
    }
}

/// A refused transition, with what would have been allowed instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot move a fulfillment from {from} to {to}")]
pub struct InvalidTransition {
    pub from: FulfillmentState,
    pub to: FulfillmentState,
    pub allowed: Vec<FulfillmentState>,
}

pub fn check_transition(
    situation: Situation,
    actor: Actor,
    to: FulfillmentState,
) -> Result<FulfillmentState, InvalidTransition> {
    let allowed = allowed_transitions(situation, actor);
    if allowed.contains(&to) { Ok(to) } else { Err(InvalidTransition { from: situation.state, to, allowed }) }
}

/// Why the winner may not (re)claim now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClaimRefused {
    #[error("the claim period is over")]
    ClaimPeriodOver,
    #[error("the item is already on its way; the claim can no longer be changed")]
    NoLongerAmendable,
}

impl ClaimRefused {
    pub fn code(self) -> &'static str {
        match self {
            Self::ClaimPeriodOver => "claim_period_over",
            Self::NoLongerAmendable => "claim_not_amendable",
        }
    }
}

/// A first claim is allowed until `claim_by`; amending it until the item is ready or shipped.
pub fn claim_allowed(situation: Situation) -> Result<(), ClaimRefused> {
    match situation.state {
        FulfillmentState::AwaitingClaim if situation.claim_period_over => Err(ClaimRefused::ClaimPeriodOver),
        FulfillmentState::AwaitingClaim | FulfillmentState::Claimed => Ok(()),
        _ => Err(ClaimRefused::NoLongerAmendable),
    }
}

/// Deadlines and retention (the `[fulfillment]` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FulfillmentPolicy {
    /// The winner claims within this time after settlement.
    pub claim_period: Duration,
    /// Personal data is erased this long after `handed_over` / `unclaimed`.
    pub retention: Duration,
    /// A claim not moved by a steward for this long is flagged overdue.
    pub stale_claim_after: Duration,
    /// The winner is reminded this long before `claim_by`.
    pub claim_reminder_before: Duration,
}

impl Default for FulfillmentPolicy {
    fn default() -> Self {
        Self {
            claim_period: Duration::days(14),
            retention: Duration::days(30),
            stale_claim_after: Duration::days(7),
            claim_reminder_before: Duration::days(3),
        }
    }
}

impl FulfillmentPolicy {
    pub fn claim_by(&self, settled_at: DateTime<Utc>) -> DateTime<Utc> {
        settled_at + self.claim_period
    }

    /// Past `claim_by` while unclaimed, or claimed and not moved for `stale_claim_after`.
    pub fn is_overdue(
        &self,
        state: FulfillmentState,
        settled_at: DateTime<Utc>,
        state_changed_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        match state {
            FulfillmentState::AwaitingClaim => now > self.claim_by(settled_at),
            FulfillmentState::Claimed => now - state_changed_at > self.stale_claim_after,
            _ => false,
        }
    }

    /// Closed before this instant → personal data is due for erasure.
    pub fn erase_closed_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.retention
    }
}

/// A postal address for shipping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub lines: Vec<String>,
    pub city: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
}

/// The winner's personal data for handing the item over. Stored in one column, shown
/// only to the winner and stewards, erased after retention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDetails {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub address: Option<PostalAddress>,
    pub note: Option<String>,
}

impl ContactDetails {
    /// Every field replaced by the redaction marker (the shape stays, so readers need no
    /// special case).
    pub fn redacted() -> Self {
        Self { name: REDACTED.into(), email: REDACTED.into(), phone: None, address: None, note: None }
    }
}

/// A validated claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub method: Method,
    pub contact: ContactDetails,
}

/// What the winner sent, unvalidated: `method`, `name` and `email` are required, `address`
/// too for shipping, and the method must be one the listing offers; 422 names every field
/// that breaks a rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Method>))]
    pub method: Option<String>,
    /// At most 100 characters, no control characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 254, example = "ada@example.org"))]
    pub email: Option<String>,
    /// 5 to 20 digits; spaces and `+ - ( ) . /` allowed.
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub phone: Option<String>,
    pub address: Option<PostalAddressInput>,
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PostalAddressInput {
    /// 1 to 3 lines of at most 100 characters.
    #[cfg_attr(feature = "openapi", schema(max_items = 3))]
    pub lines: Option<Vec<String>>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub city: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 20))]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `GB`.
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*[A-Za-z]{2}\s*$"))]
    pub country: Option<String>,
}

/// Which ways of handing over the listing offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offered {
    pub pickup: bool,
    pub shipping: bool,
}

fn required_text(errors: &mut ValidationErrors, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    match value.map(str::trim) {
        None | Some("") => {
            errors.push(field, "required", format!("{field} is required"));
            None
        }
        Some(v) if v.chars().count() > max => {
            errors.push(field, "too_long", format!("{field} has at most {max} characters"));
            None
        }
        Some(v) if v.chars().any(char::is_control) => {
            errors.push(field, "invalid_characters", format!("{field} must not contain control characters"));
            None
        }
        Some(v) => Some(v.to_owned()),
    }
}

fn optional_text(errors: &mut ValidationErrors, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    match value.map(str::trim) {
        None | Some("") => None,
        Some(v) if v.chars().count() > max => {
            errors.push(field, "too_long", format!("{field} has at most {max} characters"));
            None
        }
        Some(v) if v.chars().any(|c| c.is_control() && c != '\n') => {
            errors.push(field, "invalid_characters", format!("{field} must not contain control characters"));
            None
        }
        Some(v) => Some(v.to_owned()),
    }
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && email.chars().count() <= EMAIL_MAX_CHARS
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && email.chars().all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control() && !c.is_whitespace()))
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

impl ClaimInput {
    /// Validates every field at once.
    pub fn validate(&self, offered: Offered) -> Result<Claim, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let method = match self.method.as_deref() {
            None => {
                errors.push("method", "required", "method is required: pickup or shipping");
                None
            }
            Some(raw) => match raw.parse::<Method>() {
                Err(_) => {
                    errors.push("method", "invalid_method", "method must be pickup or shipping");
                    None
                }
                Ok(Method::Pickup) if !offered.pickup => {
                    errors.push("method", "method_not_offered", "this listing is not offered for pickup");
                    None
                }
                Ok(Method::Shipping) if !offered.shipping => {
                    errors.push("method", "method_not_offered", "this listing is not offered for shipping");
                    None
                }
                Ok(m) => Some(m),
            },
        };
        let name = required_text(&mut errors, "name", self.name.as_deref(), NAME_MAX_CHARS);
        let email = match required_text(&mut errors, "email", self.email.as_deref(), EMAIL_MAX_CHARS) {
            Some(e) if is_plausible_email(&e) => Some(e),
            Some(_) => {
                errors.push("email", "invalid_email", "email must be an address like name@example.org");
                None
            }
            None => None,
        };
        let phone = match self.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                let digits = p.chars().filter(char::is_ascii_digit).count();
                if (5..=20).contains(&digits)
                    && p.chars().count() <= 32
                    && p.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c))
                {
                    Some(p.to_owned())
                } else {
                    errors.push("phone", "invalid_phone", "phone must be 5 to 20 digits (spaces, + - ( ) allowed)");
                    None
                }
            }
        };
        let address = self.address.as_ref().and_then(|a| a.validate(&mut errors));
        if method == Some(Method::Shipping) && self.address.is_none() {
            errors.push("address", "required", "address is required for shipping");
        }
        let note = optional_text(&mut errors, "note", self.note.as_deref(), NOTE_MAX_CHARS);
        if !errors.is_empty() {
            return Err(errors);
        }
        match (method, name, email) {
            (Some(method), Some(name), Some(email)) => Ok(Claim {
                method,
                contact: ContactDetails {
                    name,
                    email,
                    phone,
                    // An address sent with a pickup claim is not needed, so not kept.
                    address: if method == Method::Shipping { address } else { None },
                    note,
                },
            }),
            _ => Err(ValidationErrors::single("method", "required", "method, name and email are required")),
        }
    }
}

impl PostalAddressInput {
    fn validate(&self, errors: &mut ValidationErrors) -> Option<PostalAddress> {
        let before = errors.0.len();
        let lines: Vec<String> =
            self.lines.iter().flatten().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
        if lines.is_empty() {
            errors.push("address.lines", "required", "the address needs at least one line");
        } else if lines.len() > ADDRESS_MAX_LINES {
            errors.push("address.lines", "too_many_lines", format!("at most {ADDRESS_MAX_LINES} address lines"));
        } else if lines.iter().any(|l| l.chars().count() > ADDRESS_LINE_MAX_CHARS || l.chars().any(char::is_control)) {
            errors.push(
                "address.lines",
                "invalid_line",
                format!("address lines have at most {ADDRESS_LINE_MAX_CHARS} characters and no control characters"),
            );
        }
        let city = required_text(errors, "address.city", self.city.as_deref(), ADDRESS_LINE_MAX_CHARS);
        let postal_code = required_text(errors, "address.postal_code", self.postal_code.as_deref(), 20);
        let country = match self.country.as_deref().map(str::trim) {
            Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => Some(c.to_ascii_uppercase()),
            None | Some("") => {
                errors.push("address.country", "required", "address.country is required");
                None
            }
            Some(_) => {
                errors.push("address.country", "invalid_country", "country must be an ISO 3166-1 alpha-2 code like GB");
                None
            }
        };
        if errors.0.len() > before {
            return None;
        }
        Some(PostalAddress { lines, city: city?, postal_code: postal_code?, country: country? })
    }
}

/// A steward's transition request, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRequest {
    pub to: FulfillmentState,
    pub note: Option<String>,
    pub tracking: Option<String>,
}

/// A steward's request to move a fulfillment: `to` is required.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<FulfillmentState>))]
    pub to: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub tracking: Option<String>,
}

impl TransitionInput {
    pub fn validate(&self) -> Result<TransitionRequest, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let to = match self.to.as_deref() {
            None => {
                errors.push("to", "required", "to is required");
                None
            }
            Some(raw) => match raw.parse::<FulfillmentState>() {
                Ok(s) => Some(s),
                Err(_) => {
                    errors.push("to", "invalid_state", format!("{raw:?} is not a fulfillment state"));
                    None
                }
            },
        };
        let note = optional_text(&mut errors, "note", self.note.as_deref(), NOTE_MAX_CHARS);
        let tracking = optional_text(&mut errors, "tracking", self.tracking.as_deref(), TRACKING_MAX_CHARS);
        errors.finish(())?;
        to.map(|to| TransitionRequest { to, note, tracking })
            .ok_or_else(|| ValidationErrors::single("to", "required", "to is required"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FulfillmentState::*;

    fn at(state: FulfillmentState, method: Option<Method>, over: bool) -> Situation {
        Situation { state, method, claim_period_over: over }
    }

    #[test]
    fn stewards_move_claims_along_by_method() {
        assert_eq!(allowed_transitions(at(Claimed, Some(Method::Pickup), false), Actor::Steward), vec![ReadyForPickup]);
        assert_eq!(allowed_transitions(at(Claimed, Some(Method::Shipping), false), Actor::Steward), vec![Shipped]);
        assert_eq!(
            allowed_transitions(at(ReadyForPickup, Some(Method::Pickup), false), Actor::Steward),
            vec![HandedOver]
        );
        assert_eq!(allowed_transitions(at(Shipped, Some(Method::Shipping), false), Actor::Steward), vec![HandedOver]);
        assert!(allowed_transitions(at(HandedOver, Some(Method::Pickup), true), Actor::Steward).is_empty());
        assert!(allowed_transitions(at(Unclaimed, None, true), Actor::Steward).is_empty());
    }

    #[test]
    fn unclaimed_only_after_the_claim_period() {
        assert!(allowed_transitions(at(AwaitingClaim, None, false), Actor::Steward).is_empty());
        assert_eq!(allowed_transitions(at(AwaitingClaim, None, true), Actor::Steward), vec![Unclaimed]);
        // A claimed item is never "unclaimed", however late.
        assert_eq!(allowed_transitions(at(Claimed, Some(Method::Pickup), true), Actor::Steward), vec![ReadyForPickup]);
    }

    #[test]
    fn winner_only_confirms_receipt() {
        for state in FulfillmentState::ALL {
            let allowed = allowed_transitions(at(*state, Some(Method::Shipping), true), Actor::Winner);
            let expected = if matches!(state, ReadyForPickup | Shipped) { vec![HandedOver] } else { vec![] };
            assert_eq!(allowed, expected, "{state}");
        }
    }

    #[test]
    fn refused_transitions_list_the_allowed_ones() {
        let err = check_transition(at(Claimed, Some(Method::Pickup), false), Actor::Steward, HandedOver)
            .expect_err("skips ready_for_pickup");
        assert_eq!(err, InvalidTransition { from: Claimed, to: HandedOver, allowed: vec![ReadyForPickup] });
        let err = check_transition(at(Claimed, Some(Method::Pickup), false), Actor::Steward, Shipped)
            .expect_err("pickup items are not shipped");
        assert_eq!(err.allowed, vec![ReadyForPickup]);
        assert_eq!(
            check_transition(at(Shipped, Some(Method::Shipping), false), Actor::Winner, HandedOver),
            Ok(HandedOver)
        );
    }

    #[test]
    fn claims_are_amendable_until_on_the_way() {
        assert_eq!(claim_allowed(at(AwaitingClaim, None, false)), Ok(()));
        assert_eq!(claim_allowed(at(AwaitingClaim, None, true)), Err(ClaimRefused::ClaimPeriodOver));
        assert_eq!(claim_allowed(at(Claimed, Some(Method::Pickup), true)), Ok(()));
        for state in [ReadyForPickup, Shipped, HandedOver, Unclaimed] {
            assert_eq!(claim_allowed(at(state, Some(Method::Pickup), false)), Err(ClaimRefused::NoLongerAmendable));
        }
    }

    const BOTH: Offered = Offered { pickup: true, shipping: true };

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors.0.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn a_claim_reports_every_invalid_field_at_once() {
        let input = ClaimInput {
            method: Some("shipping".into()),
            name: Some("  ".into()),
            email: Some("not-an-email".into()),
            phone: Some("call me".into()),
            address: Some(PostalAddressInput {
                lines: Some(vec![]),
                city: None,
                postal_code: Some("LS1 1AA".into()),
                country: Some("England".into()),
            }),
            note: Some("x".repeat(NOTE_MAX_CHARS + 1)),
        };
        let errors = input.validate(BOTH).expect_err("invalid");
        assert_eq!(
            fields(&errors),
            vec![
                ("name", "required"),
                ("email", "invalid_email"),
                ("phone", "invalid_phone"),
                ("address.lines", "required"),
                ("address.city", "required"),
                ("address.country", "invalid_country"),
                ("note", "too_long"),
            ]
        );
        let errors = ClaimInput::default().validate(BOTH).expect_err("empty");
        assert_eq!(fields(&errors), vec![("method", "required"), ("name", "required"), ("email", "required")]);
        let shipping_without_address = ClaimInput {
            method: Some("shipping".into()),
            name: Some("Ada".into()),
            email: Some("ada@example.org".into()),
            ..ClaimInput::default()
        };
        assert_eq!(
            fields(&shipping_without_address.validate(BOTH).expect_err("no address")),
            vec![("address", "required")]
        );
        let not_offered = Offered { pickup: true, shipping: false };
        assert_eq!(
            fields(&shipping_without_address.validate(not_offered).expect_err("not offered")),
            vec![("method", "method_not_offered")]
        );
    }

    #[test]
    fn a_valid_claim_is_normalised() {
        let input = ClaimInput {
            method: Some("shipping".into()),
            name: Some(" Ada Lovelace ".into()),
            email: Some("ada@example.org".into()),
            phone: Some("+44 113 496 0000".into()),
            address: Some(PostalAddressInput {
                lines: Some(vec!["1 Music Row".into(), " ".into()]),
                city: Some("Leeds".into()),
                postal_code: Some("LS1 1AA".into()),
                country: Some("gb".into()),
            }),
            note: None,
        };
        let claim = input.validate(BOTH).expect("valid");
        assert_eq!(claim.method, Method::Shipping);
        assert_eq!(claim.contact.name, "Ada Lovelace");
        let address = claim.contact.address.expect("kept for shipping");
        assert_eq!(address.lines, vec!["1 Music Row".to_owned()]);
        assert_eq!(address.country, "GB");
    }

    #[test]
    fn overdue_and_erasure_times() {
        let policy = FulfillmentPolicy::default();
        let settled = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        assert_eq!(policy.claim_by(settled), settled + Duration::days(14));
        let later = settled + Duration::days(15);
        assert!(policy.is_overdue(AwaitingClaim, settled, settled, later));
        assert!(!policy.is_overdue(AwaitingClaim, settled, settled, settled + Duration::days(13)));
        assert!(policy.is_overdue(Claimed, settled, settled + Duration::days(1), settled + Duration::days(9)));
        assert!(!policy.is_overdue(Claimed, settled, settled + Duration::days(1), settled + Duration::days(7)));
        assert!(!policy.is_overdue(Shipped, settled, settled, later));
        assert_eq!(policy.erase_closed_before(later), later - Duration::days(30));
    }

    #[test]
    fn transition_input_is_validated() {
        let errors = TransitionInput { to: Some("lost".into()), tracking: Some("x".repeat(101)), note: None }
            .validate()
            .expect_err("invalid");
        assert_eq!(fields(&errors), vec![("to", "invalid_state"), ("tracking", "too_long")]);
        let ok = TransitionInput { to: Some("shipped".into()), tracking: Some(" 1Z999 ".into()), note: None }
            .validate()
            .expect("valid");
        assert_eq!(ok, TransitionRequest { to: Shipped, note: None, tracking: Some("1Z999".into()) });
    }
}
