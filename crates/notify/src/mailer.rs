//! Email over SMTP (lettre): notification emails and the address-confirmation code.

use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::message::Email;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("email.smtp_url is not a valid SMTP URL (smtp://, smtps:// or smtp://…?tls=required)")]
    InvalidUrl,
    #[error("email.from is not a mailbox such as \"Commissary <noreply@example.org>\"")]
    InvalidFrom,
    #[error("the recipient address is not valid")]
    InvalidRecipient,
    #[error("the message could not be built: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(String),
}

/// Sends mail through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the SMTP credentials.
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

impl Mailer {
    /// `smtp_url` as lettre reads it: `smtp://host:port` (plain, for local relays and
    /// tests), `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://…:465`.
    pub fn new(smtp_url: &str, from: &str, timeout: Duration) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|_| MailError::InvalidUrl)?
            .timeout(Some(timeout))
            .build();
        let from: Mailbox = from.parse().map_err(|_| MailError::InvalidFrom)?;
        Ok(Self { transport, from })
    }

    async fn send(&self, message: Message) -> Result<(), MailError> {
        self.transport.send(message).await.map(|_| ()).map_err(|e| MailError::Smtp(e.to_string()))
    }

    /// A notification email. `message_id` is stable per notification, so a retry after a
    /// crash carries the same `Message-ID` (mail clients fold duplicates on it).
    pub async fn send_notification(&self, to: &str, email: &Email, message_id: &str) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::InvalidRecipient)?;
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(format!("<{message_id}@commissary>")))
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|e| MailError::Build(e.to_string()))?;
        // RFC 2369 / RFC 8058: mail clients offer one-click unsubscribe from these.
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", email.unsubscribe_url),
        ));
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
        self.send(message).await
    }

    /// The one-time code that confirms an address.
    pub async fn send_code(&self, to: &str, code: &str) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|_| MailError::InvalidRecipient)?;
        let text = format!(
            "Your confirmation code for the Ampled Commissary is {code}.\n\nIt is valid for 30 minutes. If you did not ask for it, ignore this email.\n"
        );
        let html = format!(
            "<!doctype html><html><body><p>Your confirmation code for the Ampled Commissary is <strong>{code}</strong>.</p>\
             <p>It is valid for 30 minutes. If you did not ask for it, ignore this email.</p></body></html>"
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject("Confirm your email address")
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.send(message).await
    }
}
