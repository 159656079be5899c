//! A member's public display name and private email address, and the one-time code that
//! confirms the address.

use chrono::Duration;
use serde::Deserialize;

use crate::fulfillment::is_plausible_email;
use crate::validation::ValidationErrors;

pub const DISPLAY_NAME_MAX_CHARS: usize = 40;
/// Wrong codes allowed before the code is void and a new one must be requested.
pub const EMAIL_CODE_MAX_ATTEMPTS: i32 = 5;
pub const EMAIL_CODE_TTL: Duration = Duration::minutes(30);

/// Why a display name is refused, if it is.
fn display_name_problem(name: &str) -> Option<(&'static str, String)> {
    let count = name.chars().count();
    if count == 0 {
        return Some(("required", "display_name must not be empty".into()));
    }
    if count > DISPLAY_NAME_MAX_CHARS {
        return Some(("too_long", format!("display_name has at most {DISPLAY_NAME_MAX_CHARS} characters")));
    }
    if name.chars().any(char::is_control) {
        return Some(("invalid_characters", "display_name must not contain control characters".into()));
    }
    let lower = name.to_lowercase();
    // It is shown publicly next to bids: no way to reach someone (email, URL, domain) and
    // nothing that passes for a wallet address.
    let has_contact = lower.contains('@')
        || lower.contains("://")
        || lower.contains("www.")
        || lower.split_whitespace().any(|word| {
            word.split('.').skip(1).any(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
                && word.split('.').next().is_some_and(|first| !first.is_empty())
        });
    let has_address =
        lower.match_indices("0x").any(|(i, _)| lower[i + 2..].chars().take_while(char::is_ascii_hexdigit).count() >= 8);
    if has_contact || has_address {
        return Some(("contact_not_allowed", "display_name must not contain addresses or URLs".into()));
    }
    None
}

/// What `PUT /me/profile` sends: both fields optional, `null`/absent leaves a field as it is,
/// an empty email removes it.
///
/// `display_name` is shown next to bids: 1 to 40 characters once trimmed, no control
/// characters, and nothing that reaches someone (an email address, a URL, a domain, a
/// wallet address) — that last rule is beyond a schema and answered with 422.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]{0,38}[^\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f])?[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
        )
    )]
    pub display_name: Option<String>,
    /// The new address (a code is mailed to it); empty removes it.
    #[cfg_attr(feature = "openapi", schema(max_length = 254, example = "ada@example.org"))]
    pub email: Option<String>,
}

/// A validated profile change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    /// `Some("")` removes the address.
    pub email: Option<String>,
}

impl ProfileInput {
    pub fn validate(&self) -> Result<ProfileChange, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let display_name = self.display_name.as_deref().map(str::trim).map(str::to_owned);
        if let Some(name) = &display_name
            && let Some((code, message)) = display_name_problem(name)
        {
            errors.push("display_name", code, message);
        }
        let email = self.email.as_deref().map(str::trim).map(str::to_owned);
        if let Some(email) = email.as_deref().filter(|e| !e.is_empty())
            && !is_plausible_email(email)
        {
            errors.push("email", "invalid_email", "email must be an address like name@example.org");
        }
        errors.finish(ProfileChange { display_name, email })
    }
}

/// A six-digit code, as typed by the member.
pub fn parse_email_code(input: &str) -> Result<String, ValidationErrors> {
    let code = input.trim();
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(code.to_owned())
    } else {
        Err(ValidationErrors::single("code", "invalid_code_format", "the code has six digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(name: &str) -> Option<&'static str> {
        display_name_problem(name).map(|(code, _)| code)
    }

    #[test]
    fn display_names_are_short_and_carry_no_contact() {
        assert_eq!(problem("Ada"), None);
        assert_eq!(problem("J.R. Hartley"), None);
        assert_eq!(problem("Señora Ñandú 🎸"), None);
        assert_eq!(problem(""), Some("required"));
        assert_eq!(problem(&"a".repeat(41)), Some("too_long"));
        assert_eq!(problem(&"é".repeat(40)), None);
        assert_eq!(problem("ada@example.org"), Some("contact_not_allowed"));
        assert_eq!(problem("see https://x.y"), Some("contact_not_allowed"));
        assert_eq!(problem("visit ampled.coop"), Some("contact_not_allowed"));
        assert_eq!(problem("www.ada"), Some("contact_not_allowed"));
        assert_eq!(problem("0xf39Fd6e51aad88F6"), Some("contact_not_allowed"));
        assert_eq!(problem("bad\u{7}bell"), Some("invalid_characters"));
    }

    #[test]
    fn profile_input_reports_every_field() {
        let errors = ProfileInput { display_name: Some("a@b.c".into()), email: Some("nope".into()) }
            .validate()
            .expect_err("invalid");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["display_name", "email"]);
        let ok = ProfileInput { display_name: Some(" Ada ".into()), email: Some("".into()) }.validate().expect("ok");
        assert_eq!(ok, ProfileChange { display_name: Some("Ada".into()), email: Some(String::new()) });
    }

    #[test]
    fn codes_have_six_digits() {
        assert_eq!(parse_email_code(" 012345 ").expect("ok"), "012345");
        assert!(parse_email_code("12345").is_err());
        assert!(parse_email_code("12345a").is_err());
    }
}
