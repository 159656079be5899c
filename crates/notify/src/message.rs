//! What a notification says: the email (plain text and HTML, with a link to the listing
//! and the unsubscribe link) and the webhook body (public facts only).

use commissary_db::after_sale::notifications::Notification;
use commissary_domain::TokenAmount;
use commissary_domain::notification::NotificationKind;
use commissary_domain::report::ampled;
use serde_json::{Value, json};

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub unsubscribe_url: String,
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn amount(data: &Value, field: &str) -> Option<String> {
    data.get(field).and_then(Value::as_str).and_then(|a| TokenAmount::parse(a).ok()).map(|a| ampled(&a))
}

fn text(data: &Value, field: &str) -> Option<String> {
    data.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// The sentence that tells what happened.
fn sentence(notification: &Notification) -> String {
    let data = &notification.payload;
    let title = text(data, "title").unwrap_or_else(|| "an item".into());
    match notification.kind {
        // The member's own maximum is not named: the notification also goes to webhooks.
        NotificationKind::Outbid if text(data, "max_bid").as_deref() == Some("exhausted") => format!(
            "Someone bid {} AMPLED on “{title}”, more than your maximum: the Commissary no longer bids for you there. Set a higher maximum to stay in.",
            amount(data, "amount").unwrap_or_default()
        ),
        NotificationKind::Outbid => format!(
            "Someone bid {} AMPLED on “{title}” and now leads the auction.",
            amount(data, "amount").unwrap_or_default()
        ),
        NotificationKind::Won => format!(
            "You won “{title}” for {} AMPLED. Tell us how you would like to receive it.",
            amount(data, "amount").unwrap_or_default()
        ),
        NotificationKind::Lost => format!(
            "The auction for “{title}” ended; another bid of {} AMPLED won it. Your tokens are credited back to you.",
            amount(data, "amount").unwrap_or_default()
        ),
        NotificationKind::EndingSoon => {
            format!("The auction for “{title}” ends at {} (UTC).", text(data, "ends_at").unwrap_or_default())
        }
        NotificationKind::ClaimReminder => format!(
            "Please claim “{title}” before {} (UTC), or it may go to someone else.",
            text(data, "claim_by").unwrap_or_default()
        ),
        NotificationKind::FulfillmentUpdate => {
            let to = text(data, "to").unwrap_or_default().replace('_', " ");
            match text(data, "tracking") {
                Some(tracking) => format!("“{title}” is now {to} (tracking: {tracking})."),
                None => format!("“{title}” is now {to}."),
            }
        }
    }
}

/// The email for `notification`; `base` is the public origin (links point there).
pub fn email(notification: &Notification, base: &url::Url, unsubscribe_token: &str) -> Email {
    let origin = base.as_str().trim_end_matches('/');
    let listing_url = match &notification.listing_id {
        Some(id) => format!("{origin}/#/listing/{id}"),
        None => format!("{origin}/"),
    };
    let unsubscribe_url = format!(
        "{origin}/api/v1/notifications/unsubscribe?token={unsubscribe_token}&kind={}",
        notification.kind.as_str()
    );
    let title = text(&notification.payload, "title");
    let subject = match &title {
        Some(t) => format!("{}: {t}", notification.kind.headline()),
        None => notification.kind.headline().to_owned(),
    };
    let sentence = sentence(notification);
    let text_body = format!(
        "{sentence}\n\nSee the listing: {listing_url}\n\n--\nThe Ampled Commissary\nNo more of these emails: {unsubscribe_url}\n"
    );
    let html = format!(
        "<!doctype html><html><body><p>{}</p><p><a href=\"{}\">See the listing</a></p>\
         <hr><p style=\"font-size:small\">The Ampled Commissary · <a href=\"{}\">Unsubscribe from these emails</a></p>\
         </body></html>",
        html_escape(&sentence),
        html_escape(&listing_url),
        html_escape(&unsubscribe_url)
    );
    Email { subject, text: text_body, html, unsubscribe_url }
}

/// The JSON body of a webhook delivery (Standard Webhooks payload shape: `type`,
/// `timestamp`, `data`). Personal data never is in a notification, so none is here.
pub fn webhook_body(notification: &Notification) -> Value {
    json!({
        "type": format!("commissary.{}", notification.kind.as_str()),
        "timestamp": notification.created_at,
        "data": {
            "notification_id": notification.id,
            "member": notification.recipient,
            "listing_id": notification.listing_id,
            "auction_id": notification.auction_id,
            "details": notification.payload,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won() -> Notification {
        Notification {
            id: "0193".into(),
            dedupe_key: "won:1:0xabc".into(),
            kind: NotificationKind::Won,
            recipient: "0xabc".into(),
            listing_id: Some("l-1".into()),
            auction_id: Some("1".into()),
            payload: json!({"title": "Fender <Deluxe> & co", "amount": "15500000000000000000"}),
            source_block: Some(7),
            created_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("time"),
            read_at: None,
        }
    }

    #[test]
    fn emails_link_the_listing_and_the_unsubscribe_page() {
        let base = url::Url::parse("https://commissary.example").expect("url");
        let mail = email(&won(), &base, "tok");
        assert_eq!(mail.subject, "You won the auction: Fender <Deluxe> & co");
        assert!(mail.text.contains("for 15.5 AMPLED"), "{}", mail.text);
        assert!(mail.text.contains("https://commissary.example/#/listing/l-1"));
        assert_eq!(
            mail.unsubscribe_url,
            "https://commissary.example/api/v1/notifications/unsubscribe?token=tok&kind=won"
        );
        assert!(mail.html.contains("Fender &lt;Deluxe&gt; &amp; co"), "{}", mail.html);
        assert!(mail.html.contains("href=\"https://commissary.example/#/listing/l-1\""));
    }

    #[test]
    fn webhook_bodies_carry_the_kind_and_public_facts() {
        let body = webhook_body(&won());
        assert_eq!(body["type"], "commissary.won");
        assert_eq!(body["data"]["details"]["amount"], "15500000000000000000");
        assert_eq!(body["data"]["listing_id"], "l-1");
    }
}
