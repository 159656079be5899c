//! What the benchmarks share: `commissary serve` as a child process, and the in-process
//! server that child runs.

use std::process::Child;

use commissary::Config;

/// A benchmark's server process; killed (and reaped) when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the service with the configuration file at `path` until it stops.
pub async fn serve(path: &str) {
    let settings = Config::load(Some(std::path::Path::new(path))).and_then(Config::validate).expect("config");
    commissary::start(settings).await.expect("start").wait().await.expect("serve");
}
