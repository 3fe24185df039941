//! Test support: a Karta app on a fresh database (SQLite always; PostgreSQL
//! when `KARTA_TEST_DATABASE_URL` points at a server), driven through the
//! real router, with two teams of users and helpers to call the API.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use karta_app::{App, AppConfig};
use karta_core::time::FixedClock;
use karta_db::Db;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;
use uuid::Uuid;

/// A running app on its own database.
pub struct TestApp {
    pub app: App,
    /// The job runner, as in `karta serve` (no schedules: the test clock
    /// jumps by days, and housekeeping is run by hand where tested).
    runner: Option<karta_app::jobs::runner::Runner>,
    pub router: axum::Router,
    pub clock: Arc<FixedClock>,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

/// An answer from the router.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub json: Value,
    pub text: String,
    /// The body as sent (for files that are not text).
    pub bytes: Vec<u8>,
}

/// An empty database of its own: a PostgreSQL database when
/// `KARTA_TEST_DATABASE_URL` names a server, else a SQLite file in a
/// temporary directory. [`TestDb::drop_database`] removes it.
pub struct TestDb {
    pub url: String,
    cleanup: Option<(String, String)>,
    dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates the database (not migrated).
    pub async fn create() -> Self {
        match std::env::var("KARTA_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            Some(admin_url) => {
                let name = format!("karta_t_{}", Uuid::new_v4().simple());
                let admin = Db::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at KARTA_TEST_DATABASE_URL: {e}"));
                admin
                    .conn()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin_url.clone());
                Self {
                    url: format!("{base}/{name}"),
                    cleanup: Some((admin_url, name)),
                    dir: None,
                }
            }
            None => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
                let url = Db::sqlite_url_in(dir.path()).unwrap_or_else(|e| panic!("{e}"));
                Self {
                    url,
                    cleanup: None,
                    dir: Some(dir),
                }
            }
        }
    }

    /// Drops the PostgreSQL database (a SQLite file goes with its
    /// temporary directory).
    pub async fn drop_database(self) {
        drop_database(self.cleanup).await;
    }
}

async fn drop_database(cleanup: Option<(String, String)>) {
    let Some((admin_url, name)) = cleanup else {
        return;
    };
    if let Ok(admin) = Db::connect(&admin_url).await {
        admin
            .conn()
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .ok();
        admin.close().await.ok();
    }
}

/// 2026-01-15 09:00 UTC, in micros: tests start at a fixed instant.
pub const START: i64 = 1_768_467_600_000_000;

impl TestApp {
    /// A fresh, migrated database and the router over it.
    pub async fn spawn() -> Self {
        let TestDb { url, cleanup, dir } = TestDb::create().await;
        let db = Db::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
        karta_db::migration::migrate(&db)
            .await
            .unwrap_or_else(|e| panic!("migrate: {e}"));
        let clock = Arc::new(FixedClock::new(START));
        let config = AppConfig {
            argon2_memory_kib: 256,
            ..AppConfig::default()
        };
        let app = App {
            db,
            clock: clock.clone(),
            config: Arc::new(config),
            remembered: None,
            subscribers: Default::default(),
        };
        let router = karta_web::router(karta_web::AppState {
            app: app.clone(),
            secure_cookies: false,
            stopping: karta_web::Stopping::never(),
            metrics: Default::default(),
        });
        let runner = Some(karta_app::jobs::runner::start(
            app.clone(),
            karta_app::jobs::runner::RunnerConfig {
                poll: std::time::Duration::from_millis(20),
                schedules: false,
                ..Default::default()
            },
        ));
        Self {
            app,
            runner,
            router,
            clock,
            cleanup,
            _dir: dir,
        }
    }

    /// Runs one job of `kind` through the test's runner, as its schedule
    /// would queue it, and waits for it to end; panics unless it ends done.
    pub async fn run_job(&self, kind: karta_app::jobs::Kind) {
        let id = karta_app::jobs::enqueue(
            self.app.db.conn(),
            self.app.now(),
            kind,
            serde_json::json!({}),
            None,
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("enqueue: {e}"))
        .unwrap_or_else(|| panic!("enqueued"));
        for _ in 0..500 {
            let job = karta_db::jobs::get(self.app.db.conn(), id)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .unwrap_or_else(|| panic!("job {id} vanished"));
            match job.status.as_str() {
                "done" => return,
                "queued" | "running" => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await
                }
                other => panic!("job {id} ended {other}: {:?}", job.last_error),
            }
        }
        panic!("job {id} did not end");
    }

    /// Drops the PostgreSQL database of this test (SQLite files go with the
    /// temporary directory).
    pub async fn finish(mut self) {
        if let Some(runner) = self.runner.take() {
            runner.stop().await;
        }
        self.app.db.close().await.ok();
        drop_database(self.cleanup).await;
    }

    /// Sends a request through the router.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap_or_else(|e| panic!("{e}")))
            .await
    }

    /// POST raw bytes (a file upload) with a token.
    pub async fn upload(&self, path: &str, token: &str, bytes: Vec<u8>) -> Answer {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "text/csv")
            .body(Body::from(bytes))
            .unwrap_or_else(|e| panic!("{e}"));
        self.send(req).await
    }

    async fn send(&self, req: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).to_string();
        Answer {
            status,
            headers,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
            bytes: bytes.to_vec(),
        }
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None, &[]).await
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body), &[])
            .await
    }

    /// PATCH JSON with a token and an `If-Match` version.
    pub async fn patch(
        &self,
        path: &str,
        token: &str,
        version: Option<i64>,
        body: Value,
    ) -> Answer {
        let etag = version.map(|v| format!("\"{v}\""));
        let headers: Vec<(&str, &str)> = etag.iter().map(|e| ("if-match", e.as_str())).collect();
        self.call(Method::PATCH, path, Some(token), Some(body), &headers)
            .await
    }

    /// Creates a user (and its team) directly; returns a full-rights token.
    pub async fn user(&self, email: &str, role: &str, team: Option<&str>) -> String {
        self.user_with_scopes(email, role, team, &[]).await
    }

    /// Like `user`, with token scopes.
    pub async fn user_with_scopes(
        &self,
        email: &str,
        role: &str,
        team: Option<&str>,
        scopes: &[&str],
    ) -> String {
        let team_id = match team {
            Some(t) => Some(
                match karta_db::users::team_by_name(self.app.db.conn(), t)
                    .await
                    .unwrap_or(None)
                {
                    Some(team) => team.id,
                    None => {
                        karta_app::directory::create_team(&self.app, None, t)
                            .await
                            .unwrap_or_else(|e| panic!("{e:?}"))
                            .id
                    }
                },
            ),
            None => None,
        };
        let input = karta_app::directory::NewUser {
            email: email.into(),
            name: email.split('@').next().unwrap_or(email).into(),
            role: role.into(),
            team_id,
            password: Some("correct horse battery".into()),
            locale: None,
        };
        if karta_db::users::user_by_email(self.app.db.conn(), email)
            .await
            .unwrap_or(None)
            .is_none()
        {
            karta_app::directory::create_user(&self.app, None, input)
                .await
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        self.token(email, scopes).await
    }

    /// Signs a user in (as the login form would) and returns a browser
    /// session: the cookie header value and the CSRF token for forms.
    pub async fn session(&self, email: &str) -> Browser {
        let s = karta_app::auth::login(&self.app, email, "correct horse battery", "127.0.0.1")
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        Browser {
            cookie: format!("karta_session={}", s.token),
            csrf: s.csrf_token,
        }
    }

    /// GET a page as a signed-in browser.
    pub async fn page(&self, b: &Browser, path: &str) -> Answer {
        self.call(
            Method::GET,
            path,
            None,
            None,
            &[("cookie", b.cookie.as_str())],
        )
        .await
    }

    /// POST a form as a signed-in browser (the CSRF token is added).
    pub async fn form(&self, b: &Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.form_with(b, path, fields, &[]).await
    }

    /// Like `form`, with extra headers (as a page script sends them); a
    /// JSON answer is parsed into `json`.
    pub async fn form_with(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        body.push(format!("_csrf={}", encode(&b.csrf)));
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("cookie", b.cookie.as_str())
            .header("content-type", "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Body::from(body.join("&")))
            .unwrap_or_else(|e| panic!("{e}"));
        self.send(req).await
    }

    /// POST a `multipart/form-data` form as a signed-in browser: the CSRF
    /// token, `fields`, then `file` as `(name, bytes)` in a field `file`.
    pub async fn upload_form(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
    ) -> Answer {
        const BOUNDARY: &str = "karta-test-boundary-7d1f";
        let mut body = Vec::new();
        let csrf = [("_csrf", b.csrf.as_str())];
        for (k, v) in csrf.iter().chain(fields) {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{}\"\r\ncontent-type: text/csv\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("cookie", b.cookie.as_str())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap_or_else(|e| panic!("{e}"));
        self.send(req).await
    }

    /// A new token for an existing user.
    pub async fn token(&self, email: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        karta_app::auth::create_token(&self.app, None, email, "test", &scopes, Some(30))
            .await
            .unwrap_or_else(|e| panic!("{e:?}"))
            .0
    }
}

/// The `id` of a record in an answer (empty when there is none).
pub fn id(a: &Answer) -> String {
    a.json["id"].as_str().unwrap_or_default().to_string()
}

/// A signed-in browser: session cookie and CSRF token.
#[derive(Debug, Clone)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// Percent-encodes a form or query value.
pub fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs one of poppler's tools (an independent PDF reader) on `pdf` with
/// `args` before the file and `after` after it; its standard output.
fn poppler(tool: &str, args: &[&str], pdf: &[u8], after: &[&str]) -> Vec<u8> {
    let mut file = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
    std::io::Write::write_all(&mut file, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(file.path())
        .args(after)
        .output()
        .unwrap_or_else(|e| {
            panic!("{tool} (Debian's poppler-utils, which .ci/run installs) cannot run: {e}")
        });
    assert!(
        out.status.success(),
        "{tool} refused the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The text of a PDF as poppler's `pdftotext -layout` reads it, page after
/// page.
pub fn pdf_text(pdf: &[u8]) -> String {
    String::from_utf8(poppler(
        "pdftotext",
        &["-layout", "-enc", "UTF-8"],
        pdf,
        &["-"],
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The document's metadata as poppler's `pdfinfo` reads it (`Title:`,
/// `Pages:`…).
pub fn pdf_info(pdf: &[u8]) -> String {
    String::from_utf8_lossy(&poppler("pdfinfo", &[], pdf, &[])).into_owned()
}

/// Page 1 of a PDF rendered by poppler's `pdftoppm` at 72 dpi in grey (one
/// pixel per point): its width, height and pixels, row by row, 0 black.
pub fn pdf_page_image(pdf: &[u8]) -> (usize, usize, Vec<u8>) {
    let pgm = poppler(
        "pdftoppm",
        &["-gray", "-r", "72", "-f", "1", "-l", "1"],
        pdf,
        &[],
    );
    // A binary PGM: "P5", width, height, maximum, each after white space.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while pgm.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let start = at;
        while pgm.get(at).is_some_and(|b| !b.is_ascii_whitespace()) {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..at]).into_owned());
    }
    assert_eq!(fields[0], "P5", "pdftoppm wrote no grey map");
    let number = |s: &str| s.parse::<usize>().unwrap_or_else(|e| panic!("{s}: {e}"));
    let (width, height) = (number(&fields[1]), number(&fields[2]));
    let pixels = pgm[at + 1..].to_vec();
    assert_eq!(pixels.len(), width * height, "a whole page of pixels");
    (width, height, pixels)
}

/// The words of a PDF's pages as poppler's `pdftotext -bbox` places them:
/// `(page, text, x_min, y_min, x_max, y_max)` in points from the top left.
pub fn pdf_words(pdf: &[u8]) -> Vec<(usize, String, f32, f32, f32, f32)> {
    let html = String::from_utf8(poppler(
        "pdftotext",
        &["-bbox", "-enc", "UTF-8"],
        pdf,
        &["-"],
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let attribute = |tag: &str, name: &str| -> f32 {
        tag.split(&format!("{name}=\"")[..])
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
    };
    let mut words = Vec::new();
    for (page, body) in html.split("<page ").skip(1).enumerate() {
        for part in body.split("<word ").skip(1) {
            let Some((tag, rest)) = part.split_once('>') else {
                continue;
            };
            let text = rest.split("</word>").next().unwrap_or_default();
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&amp;", "&");
            words.push((
                page + 1,
                text,
                attribute(tag, "xMin"),
                attribute(tag, "yMin"),
                attribute(tag, "xMax"),
                attribute(tag, "yMax"),
            ));
        }
    }
    words
}

/// Pairs of words of a PDF that overlap on the page (text printed over
/// text), as poppler places them.
pub fn pdf_overlaps(pdf: &[u8]) -> Vec<(String, String)> {
    let words = pdf_words(pdf);
    let mut overlaps = Vec::new();
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            // A sliver of shared edge is kerning, not an overlap.
            let apart =
                |lo1: f32, hi1: f32, lo2: f32, hi2: f32| hi1 <= lo2 + 0.5 || hi2 <= lo1 + 0.5;
            if a.0 == b.0 && !apart(a.2, a.4, b.2, b.4) && !apart(a.3, a.5, b.3, b.5) {
                overlaps.push((a.1.clone(), b.1.clone()));
            }
        }
    }
    overlaps
}
