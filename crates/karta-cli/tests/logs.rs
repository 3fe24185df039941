//! The server's log as an operator reads it from a file: plain text
//! without colour codes, migrations applied, and one line per request
//! with its route, status and latency.

use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;

/// Runs a `karta` command on the data directory and returns its output.
async fn karta(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("KARTA_PASSWORD", "long enough password")
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("karta: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A GET over a plain TCP connection; the answer's text.
async fn get(address: &str, path: &str, token: &str) -> String {
    let mut stream = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: karta\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    answer
}

#[tokio::test]
async fn the_log_has_one_plain_line_per_request_and_the_migrations() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    karta(dir.path(), &["user", "add", "boss@x.ru", "--role", "admin"]).await;
    let token = karta(dir.path(), &["token", "create", "boss@x.ru"]).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--job-workers",
            "0",
            "--data-dir",
        ])
        .arg(dir.path())
        .env_remove("KARTA_LOG")
        .env_remove("RUST_LOG")
        .env_remove("KARTA_LOG_FORMAT")
        .env_remove("KARTA_DATABASE_URL")
        .env_remove("KARTA_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("karta serve: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let find_address = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.strip_prefix("Karta is running at http://") {
                return rest.trim_end_matches('/').to_string();
            }
        }
        String::new()
    };
    let address = tokio::time::timeout(Duration::from_secs(60), find_address)
        .await
        .unwrap_or_else(|_| panic!("the server did not start"));
    assert!(
        get(&address, "/healthz", "")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let accounts = get(&address, "/api/v1/accounts", &token).await;
    assert!(accounts.starts_with("HTTP/1.1 200"), "{accounts}");
    child.kill().await.ok();
    let mut log = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        stderr.read_to_string(&mut log).await.ok();
    }
    assert!(!log.contains('\u{1b}'), "no colour codes in a file: {log}");
    let requests: Vec<&str> = log.lines().filter(|l| l.contains("answered")).collect();
    assert_eq!(requests.len(), 2, "{log}");
    assert!(
        requests[0].contains(" INFO ")
            && requests[0].contains("path=/healthz")
            && requests[0].contains("route=/healthz")
            && requests[0].contains("status=200")
            && requests[0].contains("latency_ms="),
        "{}",
        requests[0]
    );
    assert!(
        requests[1].contains("route=/api/v1/accounts") && requests[1].contains("user_id="),
        "the caller is named: {}",
        requests[1]
    );
    // The data directory was migrated by `user add`; the server found it
    // up to date. A fresh directory shows the migrations being applied.
    let fresh = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let migrate = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["migrate", "--data-dir"])
        .arg(fresh.path())
        .env_remove("KARTA_LOG")
        .output()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let said = String::from_utf8_lossy(&migrate.stderr);
    assert!(
        said.contains("m0017_password_change"),
        "migrations are logged: {said}"
    );
}
