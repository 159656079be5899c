//! One trait for the long-running parts of a leading worker (indexer, sender, jobs,
//! keeper) and the one loop that runs them: tick, then sleep until the component's next
//! due time or a wake-up, backing off after failures, until the session stops or the
//! lease is lost.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::context::Ctx;
use crate::error::{ChainError, ChainResult};

pub(crate) trait Component: Send + Sync + 'static {
    /// For logs.
    const NAME: &'static str;

    /// One pass of work; returns how long to wait before the next one.
    fn tick(&mut self, ctx: &Ctx) -> impl Future<Output = ChainResult<Duration>> + Send;

    /// What wakes the component before its wait is over, if anything.
    fn wake_up<'a>(&self, ctx: &'a Ctx) -> Option<&'a Notify>;
}

/// Runs `component` until `stop` is cancelled, or until it reports the lease lost (then
/// the leader steps down, seeing this task end).
pub(crate) async fn run<C: Component>(ctx: Arc<Ctx>, mut component: C, stop: CancellationToken) {
    let mut failures = 0u32;
    loop {
        let result = tokio::select! {
            r = component.tick(&ctx) => r,
            () = stop.cancelled() => return,
        };
        let delay = match result {
            Ok(delay) => {
                failures = 0;
                delay
            }
            Err(ChainError::LeaseLost) => {
                tracing::warn!(component = C::NAME, "fenced off: the lease was lost");
                return;
            }
            Err(error) => {
                failures += 1;
                if matches!(error, ChainError::Rpc(_)) {
                    ctx.rpc.failed();
                }
                if failures <= 3 || failures.is_multiple_of(20) {
                    tracing::warn!(component = C::NAME, %error, failures, "retrying");
                }
                ctx.backoff(failures)
            }
        };
        let woken = async {
            match component.wake_up(&ctx) {
                Some(notify) => notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = woken => {}
            () = stop.cancelled() => return,
        }
    }
}
