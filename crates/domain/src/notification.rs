//! What members are told about, and through which channels.

use serde::Deserialize;

use crate::validation::ValidationErrors;

crate::string_enum!(
    /// The kinds of notification.
    #[derive(PartialOrd, Ord)]
    pub NotificationKind {
        Outbid => "outbid",
        Won => "won",
        Lost => "lost",
        EndingSoon => "ending_soon",
        ClaimReminder => "claim_reminder",
        FulfillmentUpdate => "fulfillment_update",
    }
);

crate::string_enum!(
    /// Where a notification is delivered.
    #[derive(PartialOrd, Ord)]
    pub Channel {
        InApp => "in_app",
        Email => "email",
        Webhook => "webhook",
    }
);

impl NotificationKind {
    /// A short line for inboxes and email subjects (no personal data, no listing text:
    /// the caller adds the listing title where it has one).
    pub fn headline(self) -> &'static str {
        match self {
            Self::Outbid => "You have been outbid",
            Self::Won => "You won the auction",
            Self::Lost => "The auction ended: another bid won",
            Self::EndingSoon => "An auction you bid on ends soon",
            Self::ClaimReminder => "Claim your item before the deadline",
            Self::FulfillmentUpdate => "Your item is on its way",
        }
    }
}

/// Retry schedule of deliveries: exponential from `base`, capped at `max`.
pub fn retry_delay(attempts: u32, base: chrono::Duration, max: chrono::Duration) -> chrono::Duration {
    let factor = 1i64.checked_shl(attempts.saturating_sub(1).min(30)).unwrap_or(i64::MAX);
    base.checked_mul(i32::try_from(factor).unwrap_or(i32::MAX)).map_or(max, |d| d.min(max))
}

/// A member's per-kind email opt-outs, as sent to `PUT /me/notification-settings`:
/// `{"email": {"outbid": false, ...}}` (missing kinds keep their current setting).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// Per notification kind, whether it is emailed.
    #[cfg_attr(feature = "openapi", schema(value_type = std::collections::BTreeMap<NotificationKind, bool>))]
    pub email: std::collections::BTreeMap<String, bool>,
}

impl SettingsInput {
    /// The new set of opted-out kinds, starting from `current`; unknown kinds are errors.
    pub fn apply(&self, current: &[NotificationKind]) -> Result<Vec<NotificationKind>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut out: std::collections::BTreeSet<NotificationKind> = current.iter().copied().collect();
        for (kind, enabled) in &self.email {
            match kind.parse::<NotificationKind>() {
                Ok(k) if *enabled => {
                    out.remove(&k);
                }
                Ok(k) => {
                    out.insert(k);
                }
                Err(_) => {
                    errors.push(format!("email.{kind}"), "unknown_kind", format!("{kind:?} is not a notification kind"))
                }
            }
        }
        errors.finish(out.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap() {
        let (base, max) = (Duration::seconds(2), Duration::minutes(10));
        assert_eq!(retry_delay(1, base, max), Duration::seconds(2));
        assert_eq!(retry_delay(2, base, max), Duration::seconds(4));
        assert_eq!(retry_delay(5, base, max), Duration::seconds(32));
        assert_eq!(retry_delay(20, base, max), max);
        assert_eq!(retry_delay(u32::MAX, base, max), max);
    }

    #[test]
    fn settings_toggle_kinds_and_reject_unknown_ones() {
        let input: SettingsInput = serde_json::from_str(r#"{"email":{"outbid":false,"won":true}}"#).expect("json");
        assert_eq!(input.apply(&[NotificationKind::Won]).expect("valid"), vec![NotificationKind::Outbid]);
        let bad: SettingsInput = serde_json::from_str(r#"{"email":{"spam":false}}"#).expect("json");
        assert_eq!(bad.apply(&[]).expect_err("unknown").0[0].field, "email.spam");
        assert_eq!("ending_soon".parse::<NotificationKind>(), Ok(NotificationKind::EndingSoon));
        assert!("nope".parse::<Channel>().is_err());
        assert_eq!("webhook".parse::<Channel>(), Ok(Channel::Webhook));
    }
}
