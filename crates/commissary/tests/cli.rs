//! The `commissary` binary as an operator runs it.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn commissary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_commissary"));
    // Only what the test sets: no inherited configuration.
    for (key, _) in std::env::vars() {
        if key.starts_with("COMMISSARY_") || key == "DATABASE_URL" || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_with_no_configuration_creates_its_sqlite_file_and_answers_healthz() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let _child = Child(
        commissary()
            .arg("serve")
            .current_dir(dir.path())
            // The port is the one setting a shared CI machine cannot leave at its default.
            .env("COMMISSARY_SERVER__LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn commissary serve"),
    );
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let health = loop {
        match client.get(format!("http://127.0.0.1:{port}/healthz")).send().await {
            Ok(response) => break response,
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => panic!("service never answered: {e}"),
        }
    };
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("body"), r#"{"status":"ok"}"#);
    assert!(dir.path().join("data/commissary.db").exists(), "default SQLite file created");
    assert!(dir.path().join("data/photos").is_dir(), "default photo directory created");
    let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), 200);

    let migrate = commissary().arg("migrate").current_dir(dir.path()).output().expect("migrate");
    assert!(migrate.status.success());
    assert_eq!(String::from_utf8_lossy(&migrate.stdout).trim(), "0 migration(s) applied", "serve already migrated");
}

#[test]
fn migrate_applies_every_migration_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = commissary().arg("migrate").current_dir(dir.path()).output().expect("migrate");
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let applied: usize =
        String::from_utf8_lossy(&first.stdout).split_whitespace().next().and_then(|n| n.parse().ok()).expect("count");
    let expected =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/sqlite")).expect("dir").count();
    assert_eq!(applied, expected);
}

#[test]
fn bad_configuration_fails_fast_naming_the_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = commissary()
        .arg("serve")
        .current_dir(dir.path())
        .env("COMMISSARY_AUTH__STEWARDS", "[\"not-an-address\"]")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("auth.stewards[0]"), "{stderr}");

    let config = dir.path().join("commissary.toml");
    std::fs::write(&config, "[database]\npool_size = 0\n").expect("write");
    let output = commissary().args(["--config", config.to_str().expect("utf8"), "serve"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("database.pool_size"));

    let output = commissary().args(["--config", "/nonexistent/commissary.toml", "serve"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn config_command_redacts_secrets() {
    let output = commissary()
        .arg("config")
        .env("COMMISSARY_AUTH__SESSION_KEY", "s".repeat(80))
        .env("DATABASE_URL", "postgres://commissary:hunter2@db.internal/commissary")
        .env("COMMISSARY_SERVER__LISTEN", "127.0.0.1:9999")
        // Same prefix, not a configuration key: must not be mistaken for one.
        .env("COMMISSARY_TEST_DATABASE", "postgres")
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("<redacted>"), "{stdout}");
    assert!(stdout.contains("127.0.0.1:9999"), "environment overrides apply: {stdout}");
    assert!(!stdout.contains("hunter2") && !stdout.contains(&"s".repeat(80)), "{stdout}");
}
