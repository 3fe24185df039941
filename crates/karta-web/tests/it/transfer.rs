//! Moving a whole company between databases: `export --all` / `import
//! --all` from SQLite through the engine under test and back, and backup →
//! restore, compared by row counts and checksums.

use karta_app::{App, AppConfig};
use karta_db::Db;
use karta_db::transfer::{self, Directory, Manifest, TransferError};
use karta_testkit::TestApp;
use std::path::Path;
use std::sync::Arc;

/// A migrated SQLite database in `dir`, with the cheap password hashing
/// tests use.
async fn sqlite_app(dir: &Path) -> App {
    let url = Db::sqlite_url_in(dir).unwrap_or_else(|e| panic!("{e}"));
    let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
    karta_db::migration::migrate(&db)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut app = App::new(db);
    app.config = Arc::new(AppConfig {
        argon2_memory_kib: 256,
        ..AppConfig::default()
    });
    app
}

async fn export(db: &Db, dir: &Path) -> Manifest {
    let mut to = Directory::create(dir).unwrap_or_else(|e| panic!("{e}"));
    transfer::export_all(db, &mut to)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

async fn import(db: &Db, dir: &Path, replace: bool) -> Result<Manifest, TransferError> {
    transfer::import_all(db, &mut Directory::open(dir), replace).await
}

#[tokio::test]
async fn the_demo_company_moves_from_sqlite_through_the_other_engine_and_back_unchanged() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let source = sqlite_app(&work.path().join("source")).await;
    karta_app::demo::load(&source)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let first = export(&source.db, &work.path().join("first")).await;
    for table in [
        "users",
        "accounts",
        "contacts",
        "deals",
        "activities",
        "changes",
        "search_docs",
    ] {
        assert!(first.tables[table].rows > 0, "the demo has {table}");
    }

    // Into the engine under test (PostgreSQL in CI's second run).
    let t = TestApp::spawn().await;
    let loaded = import(&t.app.db, &work.path().join("first"), false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded, first);
    let middle = export(&t.app.db, &work.path().join("middle")).await;
    assert_eq!(middle, first, "same counts and checksums after the move");

    // The moved company works: a demo user signs in, lists and searches.
    let head = t.token("head@demo.karta", &[]).await;
    let accounts = t.get("/api/v1/accounts?limit=100", &head).await;
    let listed = accounts.json["items"].as_array().map(Vec::len).unwrap_or(0);
    assert!(listed > 0, "{}", accounts.text);
    let name = accounts.json["items"][0]["name"]
        .as_str()
        .unwrap_or_default();
    let word = name.split_whitespace().last().unwrap_or_default();
    let found = t
        .get(
            &format!("/api/v1/search?q={}", karta_testkit::encode(word)),
            &head,
        )
        .await;
    assert!(
        found.text.contains(name),
        "search finds {name}: {}",
        found.text
    );

    // A second load is refused and changes nothing.
    let again = import(&t.app.db, &work.path().join("first"), false).await;
    assert!(matches!(again, Err(TransferError::NotEmpty)), "{again:?}");

    // And back into a new SQLite database.
    let back = sqlite_app(&work.path().join("back")).await;
    import(&back.db, &work.path().join("middle"), false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let last = export(&back.db, &work.path().join("last")).await;
    assert_eq!(last, first);
    for table in transfer::TABLES {
        let file = format!("{table}.jsonl");
        assert_eq!(
            std::fs::read(work.path().join("first").join(&file)).ok(),
            std::fs::read(work.path().join("last").join(&file)).ok(),
            "{file} is byte for byte the same"
        );
    }
    t.finish().await;
}

#[tokio::test]
async fn a_damaged_export_loads_nothing_and_replace_wipes_first() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let created = t
        .post(
            "/api/v1/accounts",
            &admin,
            serde_json::json!({"name": "ООО Ромашка"}),
        )
        .await;
    assert_eq!(
        created.status,
        axum::http::StatusCode::CREATED,
        "{}",
        created.text
    );
    let good = work.path().join("good");
    let manifest = export(&t.app.db, &good).await;
    assert_eq!(manifest.tables["accounts"].rows, 1);

    // One changed letter in the accounts file: refused, the target stays empty.
    let bad = work.path().join("bad");
    std::fs::create_dir(&bad).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(&good)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let mut bytes = std::fs::read(entry.path()).unwrap_or_else(|e| panic!("{e}"));
        if entry.file_name() == "accounts.jsonl" {
            let text = String::from_utf8(bytes).unwrap_or_default();
            bytes = text.replace("Ромашка", "Ромашкa").into_bytes();
        }
        std::fs::write(bad.join(entry.file_name()), bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    let target = sqlite_app(&work.path().join("target")).await;
    let refused = import(&target.db, &bad, false).await;
    assert!(
        matches!(&refused, Err(TransferError::Damaged { table, .. }) if table == "accounts"),
        "{refused:?}"
    );
    let empty = export(&target.db, &work.path().join("empty")).await;
    assert_eq!(empty.tables["accounts"].rows, 0);
    assert_eq!(empty.tables["users"].rows, 0);

    // A schema this Karta does not have is refused with both names.
    let text = std::fs::read_to_string(bad.join("manifest.json")).unwrap_or_default();
    std::fs::write(
        bad.join("manifest.json"),
        text.replace(&manifest.schema, "m9999_future"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let future = import(&target.db, &bad, false).await;
    assert!(
        future
            .as_ref()
            .err()
            .map(|e| e.to_string().contains("m9999_future"))
            .unwrap_or(false),
        "{future:?}"
    );

    // --replace wipes the target's own company before loading.
    t.post(
        "/api/v1/accounts",
        &admin,
        serde_json::json!({"name": "ООО Вторая"}),
    )
    .await;
    let replaced = import(&t.app.db, &good, true)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replaced.tables["accounts"].rows, 1);
    let list = t
        .get("/api/v1/accounts", &t.token("admin@x.ru", &[]).await)
        .await;
    assert!(
        list.text.contains("Ромашка") && !list.text.contains("Вторая"),
        "{}",
        list.text
    );
    t.finish().await;
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_either_engine_identically() {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = TestApp::spawn().await;
    karta_app::demo::load(&t.app)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let before = export(&t.app.db, &work.path().join("before")).await;

    let file = work.path().join("karta.backup");
    transfer::backup(&t.app.db, &file)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let twice = transfer::backup(&t.app.db, &file).await;
    assert!(matches!(twice, Err(TransferError::Exists(_))), "{twice:?}");

    let into_sqlite = sqlite_app(&work.path().join("restored")).await;
    transfer::restore(&into_sqlite.db, &file, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        export(&into_sqlite.db, &work.path().join("after")).await,
        before
    );

    // A SQLite backup also restores into the engine under test.
    let sqlite_backup = work.path().join("sqlite.backup");
    transfer::backup(&into_sqlite.db, &sqlite_backup)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other = TestApp::spawn().await;
    transfer::restore(&other.app.db, &sqlite_backup, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        export(&other.app.db, &work.path().join("other")).await,
        before
    );

    let not_a_backup = work.path().join("notes.txt");
    std::fs::write(&not_a_backup, "hello").unwrap_or_else(|e| panic!("{e}"));
    let refused = transfer::restore(&other.app.db, &not_a_backup, true).await;
    assert!(
        matches!(refused, Err(TransferError::NotAnExport(_))),
        "{refused:?}"
    );
    other.finish().await;
    t.finish().await;
}
