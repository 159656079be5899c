//! The one way a component asks for a contract call: it records a transaction intent
//! (the sender's outbox) and wakes the sender, which signs and sends it.

use alloy::sol_types::SolCall;
use chrono::Utc;

use commissary_db::chain::intents::{self, Intent, IntentKind, NewIntent};

use crate::context::Ctx;
use crate::error::ChainResult;
use crate::rpc::hex_address;
use crate::signer::Account;

/// A call to the auction contract, towards `goal` (attempt `attempt_number` of it).
#[derive(Debug, Clone)]
pub(crate) struct IntentRequest<C> {
    pub goal: String,
    pub attempt_number: u32,
    pub kind: IntentKind,
    pub call: C,
    /// What it is about: a listing id, or a JSON list of auction ids.
    pub subject: Option<String>,
}

/// Records `request` as an intent of `from` (once per goal and attempt number) and wakes
/// the sender.
pub(crate) async fn record_intent<C: SolCall>(
    ctx: &Ctx,
    from: &Account,
    request: IntentRequest<C>,
) -> ChainResult<Intent> {
    let IntentRequest { goal, attempt_number, kind, call, subject } = request;
    let from = from.address_hex.clone();
    let to = hex_address(&ctx.config.auction_address);
    let calldata = format!("0x{}", alloy::primitives::hex::encode(call.abi_encode()));
    let intent = ctx
        .db
        .run(move |c| {
            let new = NewIntent {
                goal: &goal,
                attempt_number,
                kind,
                from_address: &from,
                to_address: &to,
                calldata: &calldata,
                subject: subject.as_deref(),
            };
            intents::record(c, &new, Utc::now())
        })
        .await?;
    tracing::info!(intent = %intent.intent_key, "transaction intent recorded");
    ctx.wake.sender.notify_one();
    Ok(intent)
}
