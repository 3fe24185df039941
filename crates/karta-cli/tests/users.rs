//! The operator's user commands with the real binary: adding the first
//! administrator, resetting a forgotten password (which forces a new one
//! at sign-in), and the first-admin hint naming the database it is for.

use karta_db::Db;
use karta_testkit::TestDb;
use std::process::{Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

async fn karta(args: &[&str], password: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(args)
        .env("KARTA_PASSWORD", password)
        .env_remove("KARTA_DATABASE_URL")
        .env_remove("KARTA_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("karta: {e}"))
}

#[tokio::test]
async fn the_operator_resets_a_password_which_must_then_be_changed() {
    let test_db = TestDb::create().await;
    let url = test_db.url.clone();
    let add = karta(
        &[
            "user",
            "add",
            "boss@x.ru",
            "--role",
            "admin",
            "--database-url",
            &url,
        ],
        "first password 1",
    )
    .await;
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
    let before = karta_db::users::user_by_email(db.conn(), "boss@x.ru")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no user"));
    assert!(!before.must_change_password);

    let short = karta(
        &["user", "password", "boss@x.ru", "--database-url", &url],
        "short",
    )
    .await;
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password_too_short"));
    let nobody = karta(
        &["user", "password", "who@x.ru", "--database-url", &url],
        "long enough 1",
    )
    .await;
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("unknown_user"));

    let reset = karta(
        &["user", "password", "boss@x.ru", "--database-url", &url],
        "second password 2",
    )
    .await;
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    assert!(String::from_utf8_lossy(&reset.stdout).contains("asked to change it"));
    let after = karta_db::users::user_by_email(db.conn(), "boss@x.ru")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no user"));
    assert!(after.must_change_password);
    assert_ne!(after.password_hash, before.password_hash);
    db.close().await.ok();
    test_db.drop_database().await;
}

/// Starts `karta serve` with `args` and returns what it printed up to
/// "Karta is running".
async fn started(args: &[&str]) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_karta"))
        .args(["serve", "--bind", "127.0.0.1:0", "--job-workers", "0"])
        .args(args)
        .env_remove("KARTA_DATABASE_URL")
        .env_remove("KARTA_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("karta serve: {e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut lines = BufReader::new(stdout).lines();
    let mut said = Vec::new();
    let read = async {
        while let Ok(Some(line)) = lines.next_line().await {
            let running = line.contains("Karta is running");
            said.push(line);
            if running {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(300), read)
        .await
        .unwrap_or_else(|_| panic!("no start: {said:?}"));
    child.kill().await.ok();
    said
}

#[tokio::test]
async fn the_first_admin_hint_names_the_data_directory_the_server_uses() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("crm").to_string_lossy().to_string();
    let said = started(&["--data-dir", &data]).await;
    let hint = said
        .iter()
        .find(|l| l.contains("karta user add"))
        .unwrap_or_else(|| panic!("no hint: {said:?}"));
    assert!(hint.ends_with(&format!(" --data-dir '{data}'")), "{hint}");
}

#[tokio::test]
async fn the_demo_says_what_it_is_loading_while_it_loads() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data = dir.path().join("demo").to_string_lossy().to_string();
    let said = started(&["--demo", "--data-dir", &data]).await;
    let at = |text: &str| said.iter().position(|l| l.contains(text));
    let (Some(catalogue), Some(trade), Some(loaded)) = (
        at("Loading the demo company: catalogue"),
        at("Loading the demo company: two years of orders"),
        at("Demo company loaded."),
    ) else {
        panic!("{said:?}");
    };
    assert!(catalogue < trade && trade < loaded, "{said:?}");
    assert!(
        said.iter()
            .any(|l| l.contains("karta user add") && l.ends_with(&format!("--data-dir '{data}'"))),
        "{said:?}"
    );
}
