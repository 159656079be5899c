//! The real `commissary serve` as a child process, shared by the process-level tests.

// Each test binary compiles its own copy of this module and uses a part of it.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub mod chain;
pub mod member;
pub mod rpc_proxy;

pub struct Service {
    child: Child,
    pub port: u16,
}

impl Service {
    /// Starts `commissary serve` on a free port with its own photo store under `dir`; `sections`
    /// is the rest of the TOML configuration (`[log]`, `[chain]`, `[email]`, ...). Its log goes
    /// to `dir/<name>.log`.
    pub fn start(dir: &Path, name: &str, database_url: &str, sections: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
        let config = dir.join(format!("{name}.toml"));
        let text = format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[database]\nurl = \"{database_url}\"\n[photos]\nstore = \"{photos}\"\n{sections}",
            photos = dir.join("photos").display(),
        );
        std::fs::write(&config, text).expect("config");
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_commissary"))
            .args(["--config", config.to_str().expect("utf8"), "serve"])
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn commissary");
        Self { child, port }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown hooks, no flushing, exactly like a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client
                .get(format!("http://127.0.0.1:{}/readyz", self.port))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("service on port {} never became ready", self.port);
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}
