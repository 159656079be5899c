//! A JSON-RPC proxy in front of anvil for crash tests: it can hold or swallow
//! `eth_sendRawTransaction`, so a SIGKILL lands before a transaction reaches the node or
//! after the node took it but before the service heard back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does with `eth_sendRawTransaction`; everything else is forwarded.
pub const FORWARD: u8 = 0;
/// Never forwards it and never answers: the node never sees the transaction.
pub const HOLD: u8 = 1;
/// Forwards it, then never answers: the node has it, the service does not know.
pub const SWALLOW_REPLY: u8 = 2;

/// A JSON-RPC proxy in front of anvil (HTTP/1.1 with keep-alive, one request at a time
/// per connection, as alloy's HTTP transport sends them).
pub struct RpcProxy {
    port: u16,
    mode: Arc<AtomicU8>,
    /// `eth_sendRawTransaction` requests seen while holding or swallowing.
    pub intercepted: Arc<AtomicUsize>,
}

impl RpcProxy {
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mode = Arc::new(AtomicU8::new(FORWARD));
        let intercepted = Arc::new(AtomicUsize::new(0));
        let (m, n) = (mode.clone(), intercepted.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, client.clone(), upstream.clone(), m.clone(), n.clone()));
            }
        });
        Self { port, mode, intercepted }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, mode: u8) {
        self.intercepted.store(0, Ordering::SeqCst);
        self.mode.store(mode, Ordering::SeqCst);
    }
}

async fn serve(
    mut stream: TcpStream,
    client: reqwest::Client,
    upstream: String,
    mode: Arc<AtomicU8>,
    intercepted: Arc<AtomicUsize>,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(body) = read_request(&mut stream, &mut buffer).await else { return };
        let sends = String::from_utf8_lossy(&body).contains("\"eth_sendRawTransaction\"");
        let mode = if sends { mode.load(Ordering::SeqCst) } else { FORWARD };
        if mode == HOLD {
            intercepted.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
        }
        let Ok(response) = client.post(&upstream).header("content-type", "application/json").body(body).send().await
        else {
            return;
        };
        let Ok(answer) = response.bytes().await else { return };
        if mode == SWALLOW_REPLY {
            intercepted.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
        }
        let head =
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", answer.len());
        if stream.write_all(head.as_bytes()).await.is_err() || stream.write_all(&answer).await.is_err() {
            return;
        }
    }
}

/// The body of the next request on the connection, `None` once it closes.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                let body = buffer[end + 4..end + 4 + length].to_vec();
                buffer.drain(..end + 4 + length);
                return Some(body);
            }
        }
        let mut chunk = [0u8; 8192];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
}
