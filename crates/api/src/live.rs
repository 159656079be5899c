//! Live updates as Server-Sent Events: `GET /api/v1/events`, `/listings/{id}/events` and
//! the signed-in member's `/me/events`.
//!
//! Every replica streams from the database's event log (`commissary_db::members::events`).
//! One fan-out task per process reads new rows once, when woken (PostgreSQL `NOTIFY` from
//! any replica's indexer, an in-process wake-up after a local commit, or a slow fallback
//! poll) and broadcasts each, rendered once, into a bounded ring shared by all streams.
//! A stream first replays what its client missed (`Last-Event-ID`) from the database,
//! then follows the ring. A client that falls more than the ring's capacity behind is
//! disconnected; its browser reconnects with `Last-Event-ID` and replays from the
//! database, so nothing is lost and nothing grows without bound.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;

use commissary_db::Db;
use commissary_db::members::events::{self as store, Audience, LiveEvent};
use commissary_domain::ListingStatus;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::listing_path::ListingPath;
use crate::session::{Member, Viewer};

/// Tuning of the live streams.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Events the shared ring holds; a stream further behind is disconnected.
    pub capacity: usize,
    /// A comment line this often keeps proxies from closing idle streams.
    pub heartbeat: Duration,
    /// Read the log this often even when nothing woke the fan-out.
    pub fallback_poll: Duration,
    /// Events read from the database per query when replaying.
    pub replay_page: i64,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            capacity: 4096,
            heartbeat: Duration::from_secs(15),
            fallback_poll: Duration::from_secs(2),
            replay_page: 500,
        }
    }
}

/// One event as the streams send it, rendered once for every subscriber.
#[derive(Debug)]
pub struct Frame {
    pub event: LiveEvent,
    pub text: Bytes,
}

impl Frame {
    pub fn new(event: LiveEvent) -> Self {
        let text = Bytes::from(render(&event));
        Self { event, text }
    }
}

fn render(event: &LiveEvent) -> String {
    format!("id: {}\nevent: {}\ndata: {}\n\n", event.id, event.kind, event.data)
}

/// The process's fan-out: a bounded broadcast ring fed from the database.
pub struct LiveHub {
    db: Db,
    options: LiveOptions,
    sender: broadcast::Sender<Arc<Frame>>,
    tasks: Vec<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub").field("options", &self.options).finish_non_exhaustive()
    }
}

impl Drop for LiveHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl LiveHub {
    /// A hub that nothing feeds yet (see [`Self::start`]).
    pub fn new(db: Db, options: LiveOptions) -> Self {
        let (sender, _) = broadcast::channel(options.capacity.max(1));
        Self { db, options, sender, tasks: Vec::new(), stop: Arc::new(AtomicBool::new(false)) }
    }

    /// Starts the fan-out task (and, on PostgreSQL, the listener thread).
    pub fn start(db: Db, options: LiveOptions) -> Arc<Self> {
        let mut hub = Self::new(db, options);
        let remote = Arc::new(Notify::new());
        if hub.db.backend() == commissary_db::Backend::Postgres {
            spawn_listener(hub.db.clone(), remote.clone(), hub.stop.clone());
        }
        let task = tokio::spawn(fan_out(hub.db.clone(), hub.sender.clone(), hub.options.clone(), remote));
        hub.tasks.push(task);
        Arc::new(hub)
    }

    /// Sends a frame to every stream (the fan-out's job; public for tests).
    pub fn publish(&self, frame: Frame) {
        // No receivers is fine: nobody is listening right now.
        let _ = self.sender.send(Arc::new(frame));
    }

    /// Frames waiting in the ring for its slowest stream (at most `capacity`).
    pub fn buffered(&self) -> usize {
        self.sender.len()
    }

    /// A stream for `audience`: everything after `last_event_id` (replayed from the
    /// database), then live; only new events when `last_event_id` is `None`.
    pub fn subscribe(&self, audience: Audience, last_event_id: Option<i64>) -> Subscription {
        let receiver = self.sender.subscribe();
        let mut heartbeat =
            tokio::time::interval_at(tokio::time::Instant::now() + self.options.heartbeat, self.options.heartbeat);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        metrics::gauge!("commissary_live_streams").increment(1.0);
        Subscription {
            db: self.db.clone(),
            audience,
            last: last_event_id,
            receiver,
            live: false,
            pending: VecDeque::new(),
            heartbeat,
            page: self.options.replay_page,
            greeted: false,
            finished: false,
        }
    }
}

/// Reads new rows once per wake-up and broadcasts them.
async fn fan_out(db: Db, sender: broadcast::Sender<Arc<Frame>>, options: LiveOptions, remote: Arc<Notify>) {
    let mut local = store::wake_ups();
    let mut last = loop {
        match db.run(store::latest_id).await {
            Ok(id) => break id,
            Err(e) => {
                tracing::warn!(error = %e, "live events: cannot read the log yet");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        tokio::select! {
            _ = local.changed() => {}
            () = remote.notified() => {}
            () = tokio::time::sleep(options.fallback_poll) => {}
        }
        loop {
            let after = last;
            let page = options.replay_page;
            match db.run(move |conn| store::after(conn, after, page)).await {
                Ok(rows) => {
                    let full = rows.len() as i64 == page;
                    for row in rows {
                        last = row.id;
                        let _ = sender.send(Arc::new(Frame::new(row)));
                    }
                    if !full {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live events: reading the log failed");
                    break;
                }
            }
        }
    }
}

/// `LISTEN`s on its own connection and wakes the fan-out on every notification; reconnects
/// (and wakes, to catch up) when the connection breaks.
fn spawn_listener(db: Db, wake: Arc<Notify>, stop: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new().name("live-listener".into()).spawn(move || {
        // The fan-out holds the other reference: once it is gone, nobody needs waking.
        let wanted = |wake: &Arc<Notify>| !stop.load(Ordering::Relaxed) && Arc::strong_count(wake) > 1;
        while wanted(&wake) {
            let mut listener = match db.listener() {
                Ok(Some(listener)) => listener,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "live events: LISTEN connection failed; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
            };
            wake.notify_one();
            while wanted(&wake) {
                match listener.poll() {
                    Ok(0) => std::thread::sleep(Duration::from_millis(10)),
                    Ok(_) => wake.notify_one(),
                    Err(e) => {
                        tracing::warn!(error = %e, "live events: LISTEN connection lost; reconnecting");
                        break;
                    }
                }
            }
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "live events: cannot start the listener thread; falling back to polling");
    }
}

/// One client's stream.
pub struct Subscription {
    db: Db,
    audience: Audience,
    /// The newest event id sent (or skipped as already known).
    last: Option<i64>,
    receiver: broadcast::Receiver<Arc<Frame>>,
    live: bool,
    pending: VecDeque<Bytes>,
    heartbeat: tokio::time::Interval,
    page: i64,
    greeted: bool,
    finished: bool,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        metrics::gauge!("commissary_live_streams").decrement(1.0);
    }
}

const GREETING: &[u8] = b"retry: 3000\n: connected\n\n";
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";
const TOO_SLOW: &[u8] = b": too far behind; reconnect with Last-Event-ID\n\n";

impl Subscription {
    /// The next chunk to send; `None` ends the stream.
    pub async fn next_chunk(&mut self) -> Option<Bytes> {
        if self.finished {
            return None;
        }
        if !self.greeted {
            self.greeted = true;
            if self.last.is_none() {
                // Only new events: start after the newest one in the log. Frames already
                // in the ring at or below it are skipped by id.
                let latest = self.db.run(store::latest_id).await.ok()?;
                self.last = Some(latest);
                self.live = true;
            }
            return Some(Bytes::from_static(GREETING));
        }
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Some(chunk);
            }
            let last = self.last.unwrap_or(0);
            if !self.live {
                let (audience, page) = (self.audience.clone(), self.page);
                let rows = match self.db.run(move |conn| store::replay(conn, &audience, last, page)).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        tracing::warn!(error = %e, "live events: replay failed; closing the stream");
                        self.finished = true;
                        return None;
                    }
                };
                if (rows.len() as i64) < page {
                    self.live = true;
                }
                for row in rows {
                    self.last = Some(row.id);
                    self.pending.push_back(Bytes::from(render(&row)));
                }
                continue;
            }
            tokio::select! {
                received = self.receiver.recv() => match received {
                    Ok(frame) => {
                        if frame.event.id > last {
                            self.last = Some(frame.event.id);
                            if self.audience.admits(&frame.event) {
                                return Some(frame.text.clone());
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "live events: a client fell too far behind; disconnecting it");
                        metrics::counter!("commissary_live_lagged_total").increment(1);
                        self.finished = true;
                        return Some(Bytes::from_static(TOO_SLOW));
                    }
                    Err(broadcast::error::RecvError::Closed) => {
                        self.finished = true;
                        return None;
                    }
                },
                _ = self.heartbeat.tick() => return Some(Bytes::from_static(KEEP_ALIVE)),
            }
        }
    }
}

/// `Last-Event-ID` (header, as browsers send it on reconnect) or `?last_event_id=`.
fn last_event_id(req: &HttpRequest, query: Option<&str>) -> ApiResult<Option<i64>> {
    let header = req.headers().get("Last-Event-ID").map(|v| v.to_str().unwrap_or("x").trim().to_owned());
    match header.or_else(|| query.map(str::to_owned)) {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => text.parse::<i64>().ok().filter(|id| *id >= 0).map(Some).ok_or_else(|| {
            ApiError::bad_request("invalid_last_event_id", "Last-Event-ID must be an event id (a non-negative integer)")
        }),
    }
}

/// The query of a stream: `listing` (repeatable, only on `/events`) and `last_event_id`.
struct StreamQuery {
    listings: Vec<String>,
    last_event_id: Option<String>,
}

fn parse_query(req: &HttpRequest, allow_listing: bool) -> ApiResult<StreamQuery> {
    let mut query = StreamQuery { listings: Vec::new(), last_event_id: None };
    for (key, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        match key.as_ref() {
            "listing" if allow_listing => {
                let id = value.parse::<commissary_domain::ListingId>().map_err(|_| {
                    ApiError::bad_request("invalid_listing", format!("listing must be a listing id, not {value:?}"))
                })?;
                query.listings.push(id.to_string());
            }
            "last_event_id" => query.last_event_id = Some(value.into_owned()),
            other => {
                return Err(ApiError::bad_request("invalid_query", format!("unknown query parameter {other:?}")));
            }
        }
    }
    Ok(query)
}

fn sse(subscription: Subscription) -> HttpResponse {
    let body = futures_util::stream::unfold(subscription, |mut s| async move {
        s.next_chunk().await.map(|chunk| (Ok::<_, actix_web::Error>(chunk), s))
    });
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        // Compression would hold events back until a buffer fills; proxies must not buffer.
        .insert_header(("Content-Encoding", "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

fn hub(req: &HttpRequest) -> ApiResult<&LiveHub> {
    req.app_data::<web::Data<LiveHub>>()
        .map(|d| d.get_ref())
        .ok_or_else(|| ApiError::internal("live event hub missing"))
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct PublicStreamParams {
    /// Only events of this listing; repeat for several. Default: every listing.
    #[param(value_type = Option<Vec<commissary_domain::ListingId>>)]
    listing: Option<Vec<String>>,
    /// Replay events after this id (the `Last-Event-ID` header wins when both are sent).
    #[param(minimum = 0)]
    last_event_id: Option<i64>,
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ResumeParams {
    /// Replay events after this id (the `Last-Event-ID` header wins when both are sent).
    #[param(minimum = 0)]
    last_event_id: Option<i64>,
}

/// Public auction events as Server-Sent Events: `bid`, `bid_removed`, `settled`,
/// `cancelled`, `status`. Each has an `id:`; reconnect with `Last-Event-ID` to get
/// exactly what was missed. A comment line every 15 s keeps the stream open.
#[utoipa::path(get, path = "/api/v1/events", tag = "live",
    params(PublicStreamParams, ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id")),
    responses((status = 200, content_type = "text/event-stream", body = String,
               description = "Frames `id: N`, `event: <type>`, `data: <JSON>`; `<type>` is `bid`, `bid_removed`, \
                              `settled`, `cancelled` or `status` (README, Live updates)"),
              (status = 400, body = ErrorBody)))]
#[get("/events")]
#[tracing::instrument(skip_all)]
pub async fn public_events(req: HttpRequest) -> ApiResult<HttpResponse> {
    let query = parse_query(&req, true)?;
    let last = last_event_id(&req, query.last_event_id.as_deref())?;
    Ok(sse(hub(&req)?.subscribe(Audience::Public { listings: query.listings }, last)))
}

/// One listing's public events as Server-Sent Events (as `/api/v1/events?listing={id}`).
#[utoipa::path(get, path = "/api/v1/listings/{id}/events", tag = "live",
    params(("id" = commissary_domain::ListingId, Path), ResumeParams,
           ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id")),
    responses((status = 200, content_type = "text/event-stream", body = String,
               description = "Frames `id: N`, `event: <type>`, `data: <JSON>`; `<type>` is `bid`, `bid_removed`, \
                              `settled`, `cancelled` or `status`"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/listings/{id}/events")]
#[tracing::instrument(skip_all, fields(listing = %listing.id()))]
pub async fn listing_events(viewer: Viewer, listing: ListingPath, req: HttpRequest) -> ApiResult<HttpResponse> {
    let ListingPath(record) = listing;
    let id = record.id;
    if record.status == ListingStatus::Draft && !viewer.is_steward {
        return Err(ApiError::not_found("listing"));
    }
    let query = parse_query(&req, false)?;
    let last = last_event_id(&req, query.last_event_id.as_deref())?;
    Ok(sse(hub(&req)?.subscribe(Audience::Public { listings: vec![id.to_string()] }, last)))
}

/// The signed-in member's own events as Server-Sent Events: `outbid`, `won`, `lost`, and
/// `notification` (each in-app notification, as the inbox lists it). Never shown to
/// anyone else.
#[utoipa::path(get, path = "/api/v1/me/events", tag = "live",
    params(ResumeParams, ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this event id")),
    responses((status = 200, content_type = "text/event-stream", body = String,
               description = "Frames `id: N`, `event: <type>`, `data: <JSON>`; `<type>` is `outbid`, `won`, `lost` or `notification`"),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
#[get("/me/events")]
#[tracing::instrument(skip_all)]
pub async fn my_events(member: Member, req: HttpRequest) -> ApiResult<HttpResponse> {
    let query = parse_query(&req, false)?;
    let last = last_event_id(&req, query.last_event_id.as_deref())?;
    Ok(sse(hub(&req)?.subscribe(Audience::Member(member.address), last)))
}

/// Registers the live routes (inside `/api/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(public_events).service(listing_events).service(my_events);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(id: i64) -> Frame {
        Frame::new(LiveEvent {
            id,
            kind: "bid".into(),
            listing_id: Some("l".into()),
            auction_id: Some("1".into()),
            recipient: None,
            data: format!("{{\"n\":{id}}}"),
            created_at: chrono::DateTime::UNIX_EPOCH.naive_utc(),
        })
    }

    async fn hub(capacity: usize) -> (LiveHub, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("live.db").display());
        let db = Db::connect(&commissary_db::DbOptions::new(url)).expect("db");
        db.migrate().await.expect("migrate");
        (LiveHub::new(db, LiveOptions { capacity, ..LiveOptions::default() }), dir)
    }

    fn text(chunk: Option<Bytes>) -> String {
        String::from_utf8(chunk.expect("a chunk").to_vec()).expect("utf8")
    }

    #[tokio::test]
    async fn streams_frames_in_order_and_skips_what_it_already_sent() {
        let (hub, _dir) = hub(16).await;
        let mut sub = hub.subscribe(Audience::Public { listings: vec![] }, Some(0));
        assert!(text(sub.next_chunk().await).starts_with("retry:"));
        hub.publish(frame(1));
        hub.publish(frame(1));
        hub.publish(frame(2));
        assert_eq!(text(sub.next_chunk().await), "id: 1\nevent: bid\ndata: {\"n\":1}\n\n");
        assert_eq!(text(sub.next_chunk().await), "id: 2\nevent: bid\ndata: {\"n\":2}\n\n");
    }

    #[tokio::test]
    async fn a_client_too_far_behind_is_disconnected_and_the_ring_stays_bounded() {
        let (hub, _dir) = hub(8).await;
        let mut slow = hub.subscribe(Audience::Public { listings: vec![] }, Some(0));
        assert!(text(slow.next_chunk().await).starts_with("retry:"));
        hub.publish(frame(1));
        assert!(text(slow.next_chunk().await).starts_with("id: 1\n"));
        // The client stops reading while 1,000 more events happen.
        for id in 2..1002 {
            hub.publish(frame(id));
            assert!(hub.buffered() <= 8, "the ring never holds more than its capacity");
        }
        assert!(text(slow.next_chunk().await).contains("too far behind"));
        assert_eq!(slow.next_chunk().await, None, "then the stream ends");
    }

    #[tokio::test]
    async fn a_public_stream_never_carries_personal_events() {
        let (hub, _dir) = hub(16).await;
        let mut sub = hub.subscribe(Audience::Public { listings: vec![] }, Some(0));
        sub.next_chunk().await;
        let mut personal = frame(1);
        personal.event.recipient = Some("0x0000000000000000000000000000000000000001".into());
        hub.publish(personal);
        hub.publish(frame(2));
        assert!(text(sub.next_chunk().await).starts_with("id: 2\n"));
    }
}
