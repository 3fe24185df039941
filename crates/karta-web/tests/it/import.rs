//! CSV imports through the real router and the import engine, on SQLite
//! and (with KARTA_TEST_DATABASE_URL) PostgreSQL.

use axum::http::StatusCode;
use karta_app::import::{self, Columns, ImportEntity, Spec};
use karta_core::import::{CsvRows, Key, Mode};
use karta_testkit::{Answer, TestApp};
use serde_json::{Value, json};
use std::io::Read;

/// Polls a job until it leaves `running`.
async fn finished(t: &TestApp, token: &str, job: &Answer) -> Value {
    assert_eq!(job.status, StatusCode::ACCEPTED, "{}", job.text);
    let id = job.json["id"].as_str().unwrap_or_default().to_string();
    for _ in 0..500 {
        let now = t.get(&format!("/api/v1/imports/{id}"), token).await;
        if now.json["status"] != "running" {
            return now.json;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("import {id} did not finish");
}

/// A finished job's refusals as (line, code), with the answer's text.
async fn error_codes(t: &TestApp, token: &str, job: &Value) -> (Vec<(i64, String)>, String) {
    let id = job["id"].as_str().unwrap_or_default();
    let errors = t.get(&format!("/api/v1/imports/{id}/errors"), token).await;
    let codes = errors.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["line"].as_i64().unwrap_or_default(),
                e["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (codes, errors.text)
}

fn cp1251(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
}

async fn accounts(t: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let list = t.get(&format!("/api/v1/accounts?{query}"), token).await;
    list.json["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_windows_1251_semicolon_file_is_read_with_guessed_columns_and_a_second_import_creates_nothing()
 {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let file = cp1251(
        "Наименование;ИНН;Тип;Теги;Код 1С;Ответственный\r\n\
         ООО «Ромашка»;7707083893;Клиент;\"опт; розница\";A-1;admin@x.ru\r\n\
         АО Лютик;7736050003;Дилер;;A-2;\r\n\
         Без ИНН;;;;A-3;\r\n\
         Плохой;1234;Клиент;;A-4;nobody@x.ru\r\n",
    );
    let preview = t
        .upload("/api/v1/imports/accounts/preview", &admin, file.clone())
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert_eq!(preview.json["encoding"], "windows-1251");
    assert_eq!(preview.json["delimiter"], ";");
    assert_eq!(
        preview.json["columns"],
        json!(["name", "inn", "types", "tags", "external_id", "owner"])
    );
    assert_eq!(preview.json["rows"][0][0], "ООО «Ромашка»");
    assert!(t.get("/api/v1/accounts", &admin).await.json["items"][0].is_null());

    let first = t
        .upload("/api/v1/imports/accounts?key=inn", &admin, file.clone())
        .await;
    let job = finished(&t, &admin, &first).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["mode"], "upsert");
    assert_eq!(
        (job["created"].as_i64(), job["failed"].as_i64()),
        (Some(2), Some(2))
    );
    let romashka = accounts(&t, &admin, "inn=7707083893").await;
    assert_eq!(romashka.len(), 1);
    assert_eq!(romashka[0]["types"], json!(["customer"]));
    assert_eq!(romashka[0]["tags"], json!(["опт", "розница"]));
    assert_eq!(romashka[0]["external_id"], "A-1");

    // The report names each refused cell, in the reader's language.
    let id = job["id"].as_str().unwrap_or_default();
    let report = t
        .call(
            axum::http::Method::GET,
            &format!("/api/v1/imports/{id}/errors.csv"),
            Some(&admin),
            None,
            &[("accept-language", "ru")],
        )
        .await;
    let lines: Vec<&str> = report.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "Строка,Колонка,Значение,Ошибка");
    assert!(
        lines.contains(&"4,ИНН,,Ключевая ячейка пуста — строку не с чем сопоставить."),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("5,Ответственный,nobody@x.ru,")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("5,ИНН,1234,")),
        "{lines:?}"
    );
    let errors = t.get(&format!("/api/v1/imports/{id}/errors"), &admin).await;
    assert_eq!(errors.json["items"].as_array().map(Vec::len), Some(3));

    // The same file again: nothing new, nothing changed.
    let again = t
        .upload("/api/v1/imports/accounts?key=inn", &admin, file)
        .await;
    let job = finished(&t, &admin, &again).await;
    assert_eq!(
        (
            job["created"].as_i64(),
            job["updated"].as_i64(),
            job["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(2))
    );
    assert_eq!(accounts(&t, &admin, "").await.len(), 2);
    t.finish().await;
}

#[tokio::test]
async fn a_dry_run_reports_but_changes_nothing_and_bad_requests_are_explained() {
    let t = TestApp::spawn().await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    let reader = t.user("ro@x.ru", "read_only", None).await;
    let file = b"name,inn\nAlpha,7707083893\nBeta,12\n".to_vec();
    let dry = t
        .upload("/api/v1/imports/accounts?dry_run=true", &rep, file.clone())
        .await;
    let job = finished(&t, &rep, &dry).await;
    assert_eq!(
        (job["created"].as_i64(), job["failed"].as_i64()),
        (Some(1), Some(1))
    );
    assert!(accounts(&t, &rep, "").await.is_empty(), "a dry run wrote");
    let undo = t
        .post(
            &format!(
                "/api/v1/imports/{}/undo",
                job["id"].as_str().unwrap_or_default()
            ),
            &rep,
            json!({}),
        )
        .await;
    assert_eq!(undo.status, StatusCode::CONFLICT);
    assert_eq!(undo.json["code"], "import_dry_run");

    let refused = t
        .upload("/api/v1/imports/accounts", &reader, file.clone())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad_key = t
        .upload("/api/v1/imports/accounts?key=email", &rep, file.clone())
        .await;
    assert_eq!(bad_key.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_key.json["errors"][0]["code"], "key_not_for_entity");
    let no_column = t
        .upload(
            "/api/v1/imports/accounts?key=external_id",
            &rep,
            file.clone(),
        )
        .await;
    assert_eq!(no_column.json["errors"][0]["code"], "key_column_missing");
    let twice = t
        .upload("/api/v1/imports/accounts?column.2=name", &rep, file.clone())
        .await;
    assert_eq!(twice.json["errors"][0]["field"], "columns[1]");
    assert_eq!(twice.json["errors"][0]["code"], "mapped_twice");
    let empty = t.upload("/api/v1/imports/accounts", &rep, Vec::new()).await;
    assert_eq!(empty.json["errors"][0]["code"], "empty_file");
    let other = t.upload("/api/v1/imports/deals", &rep, file).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // Nobody else sees a rep's jobs.
    let rep2 = t.user("rep2@x.ru", "sales_rep", Some("A")).await;
    let theirs = t
        .get(
            &format!("/api/v1/imports/{}", job["id"].as_str().unwrap_or_default()),
            &rep2,
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/api/v1/imports", &rep2).await.json, json!([]));
    t.finish().await;
}

#[tokio::test]
async fn contacts_upsert_by_email_phone_and_external_id_within_the_callers_rights() {
    let t = TestApp::spawn().await;
    let a = t.user("a@x.ru", "sales_rep", Some("A")).await;
    let b = t.user("b@x.ru", "sales_rep", Some("B")).await;
    let account = t
        .post(
            "/api/v1/accounts",
            &a,
            json!({"name": "ООО Ромашка", "inn": "7707083893"}),
        )
        .await;
    let account_id = account.json["id"].clone();
    let file = "ФИО,E-mail,Телефон,Компания,Дата рождения,ID\n\
                Иванов Пётр Сергеевич,petr@x.ru,'+7 495 123-45-67,7707083893,05.03.1980,C-1\n"
        .as_bytes()
        .to_vec();
    let job = finished(
        &t,
        &a,
        &t.upload("/api/v1/imports/contacts?key=email", &a, file)
            .await,
    )
    .await;
    assert_eq!(job["created"], 1, "{job}");
    let list = t.get("/api/v1/contacts", &a).await;
    let petr = &list.json["items"][0];
    assert_eq!(
        (
            &petr["last_name"],
            &petr["first_name"],
            &petr["middle_name"]
        ),
        (&json!("Иванов"), &json!("Пётр"), &json!("Сергеевич"))
    );
    assert_eq!(petr["birthday"], "1980-03-05");
    assert_eq!(petr["account_ids"], json!([account_id]));
    assert_eq!(petr["phones"], json!(["+74951234567"]));

    // By phone (written differently), by external id: the same person.
    let by_phone = "Телефон,Должность\n8 (495) 123-45-67,Директор\n"
        .as_bytes()
        .to_vec();
    let job = finished(
        &t,
        &a,
        &t.upload("/api/v1/imports/contacts?key=phone", &a, by_phone)
            .await,
    )
    .await;
    assert_eq!(
        (job["created"].as_i64(), job["updated"].as_i64()),
        (Some(0), Some(1)),
        "{job}"
    );
    let by_id = "ID,E-mail\nC-1,p.ivanov@x.ru\n".as_bytes().to_vec();
    let job = finished(
        &t,
        &a,
        &t.upload(
            "/api/v1/imports/contacts?key=external_id&mode=update",
            &a,
            by_id,
        )
        .await,
    )
    .await;
    assert_eq!(job["updated"], 1, "{job}");
    let petr = &t.get("/api/v1/contacts", &a).await.json["items"][0];
    assert_eq!(petr["position"], "Директор");
    assert_eq!(
        petr["emails"],
        json!(["p.ivanov@x.ru", "petr@x.ru"]),
        "a file's e-mail adds to the others"
    );
    let history = t
        .get(
            &format!(
                "/api/v1/contacts/{}/history",
                petr["id"].as_str().unwrap_or_default()
            ),
            &a,
        )
        .await;
    assert!(history.text.contains("\"import\""), "{}", history.text);

    // Another team's rep cannot update A's contact through the key.
    let stranger = "E-mail,Должность\npetr@x.ru,Никто\n".as_bytes().to_vec();
    let job = finished(
        &t,
        &b,
        &t.upload("/api/v1/imports/contacts?key=email", &b, stranger)
            .await,
    )
    .await;
    assert_eq!(
        (job["updated"].as_i64(), job["failed"].as_i64()),
        (Some(0), Some(1))
    );
    let report = t
        .get(
            &format!(
                "/api/v1/imports/{}/errors",
                job["id"].as_str().unwrap_or_default()
            ),
            &b,
        )
        .await;
    assert_eq!(report.json["items"][0]["code"], "not_allowed");
    // Update mode never creates.
    let nobody = "E-mail,Фамилия\nnew@x.ru,Новый\n".as_bytes().to_vec();
    let job = finished(
        &t,
        &a,
        &t.upload("/api/v1/imports/contacts?key=email&mode=update", &a, nobody)
            .await,
    )
    .await;
    assert_eq!(
        (job["created"].as_i64(), job["failed"].as_i64()),
        (Some(0), Some(1))
    );
    t.finish().await;
}

#[tokio::test]
async fn accounts_upsert_by_customer_code_and_undo_restores_what_nobody_touched_since() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let kept = t
        .post("/api/v1/accounts", &admin, json!({"name": "Старое имя"}))
        .await;
    let code = kept.json["code"].as_str().unwrap_or_default().to_string();
    let file = format!("Код клиента,Наименование\n{code},Новое имя\n,Новый один\n,Новый два\n");
    let job = finished(
        &t,
        &admin,
        &t.upload(
            "/api/v1/imports/accounts?key=code",
            &admin,
            file.into_bytes(),
        )
        .await,
    )
    .await;
    // Rows without a code cannot be matched: refused, not duplicated.
    assert_eq!(
        (job["updated"].as_i64(), job["failed"].as_i64()),
        (Some(1), Some(2)),
        "{job}"
    );
    let created = finished(
        &t,
        &admin,
        &t.upload(
            "/api/v1/imports/accounts",
            &admin,
            b"name\nOne\nTwo\n".to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(created["created"], 2);
    // Someone edits "Two" after the import: undo must leave it.
    let two = accounts(&t, &admin, "q=Two").await;
    let two_id = two[0]["id"].as_str().unwrap_or_default().to_string();
    let edited = t
        .patch(
            &format!("/api/v1/accounts/{two_id}"),
            &admin,
            two[0]["version"].as_i64(),
            json!({"notes": "called"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK);
    let undo = t
        .post(
            &format!(
                "/api/v1/imports/{}/undo",
                created["id"].as_str().unwrap_or_default()
            ),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(undo.status, StatusCode::OK, "{}", undo.text);
    assert_eq!(
        undo.json,
        json!({"removed": 1, "restored": 0, "skipped": 1})
    );
    let names: Vec<Value> = accounts(&t, &admin, "")
        .await
        .iter()
        .map(|a| a["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Two"), json!("Новое имя")]);
    assert_eq!(accounts(&t, &admin, "deleted=true").await[0]["name"], "One");
    let undo_update = t
        .post(
            &format!(
                "/api/v1/imports/{}/undo",
                job["id"].as_str().unwrap_or_default()
            ),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(undo_update.json["restored"], 1, "{}", undo_update.text);
    assert_eq!(
        accounts(&t, &admin, &format!("q={code}")).await[0]["name"],
        "Старое имя"
    );
    let twice = t
        .post(
            &format!(
                "/api/v1/imports/{}/undo",
                job["id"].as_str().unwrap_or_default()
            ),
            &admin,
            json!({}),
        )
        .await;
    assert_eq!(twice.json["code"], "import_undone");
    t.finish().await;
}

/// A file that breaks after `limit` bytes, as a killed upload or a cut
/// disk read would.
struct Broken {
    inner: std::io::Cursor<Vec<u8>>,
    limit: u64,
}

impl Read for Broken {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.inner.position() >= self.limit {
            return Err(std::io::Error::other("cut"));
        }
        let room = (self.limit - self.inner.position()).min(buf.len() as u64) as usize;
        self.inner.read(&mut buf[..room])
    }
}

#[tokio::test]
async fn an_import_cut_off_midway_resumes_after_its_last_batch_and_each_row_lands_once() {
    let t = TestApp::spawn().await;
    t.user("admin@x.ru", "admin", None).await;
    let user = karta_db::users::user_by_email(t.app.db.conn(), "admin@x.ru")
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("no admin"));
    let p = karta_app::auth::principal_of(&user, None, "cli").unwrap_or_else(|| panic!("role"));
    let rows = 2_600;
    let mut text = String::from("Фамилия;E-mail\n");
    for i in 0..rows {
        text.push_str(&format!(
            "Контакт {i};contact-number-{i}@example-company.ru\n"
        ));
    }
    let bytes = text.into_bytes();
    let spec = Spec {
        entity: ImportEntity::Contacts,
        mode: Mode::Upsert,
        key: Some(Key::Email),
        dry_run: false,
        file_name: "big.csv".into(),
        save_profile: None,
    };
    // The file breaks 70 % of the way in (past the sniffed first 64 KiB).
    let cut = Broken {
        inner: std::io::Cursor::new(bytes.clone()),
        limit: bytes.len() as u64 * 7 / 10,
    };
    let mut csv = CsvRows::open(cut).unwrap_or_else(|e| panic!("{e}"));
    let customs = import::custom_fields(&t.app, spec.entity)
        .await
        .unwrap_or_default();
    let columns = Columns::guess(spec.entity, &csv.headers, &customs);
    let job = import::start(&t.app, &p, &spec, &columns, "utf-8")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let broken = import::run(&t.app, &p, job.id, &columns, &mut csv, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(broken.status, "failed");
    assert!(
        broken
            .failure
            .as_deref()
            .unwrap_or_default()
            .starts_with("unreadable_file")
    );
    // Every whole row before the cut is in, in more than one batch.
    assert!(broken.rows_done > import::BATCH as i64 && broken.rows_done < rows);
    assert_eq!(contacts_count(&t).await, broken.rows_done as u64);

    // Resume with the whole file: each row exactly once.
    let mut csv =
        CsvRows::open(std::io::Cursor::new(bytes.clone())).unwrap_or_else(|e| panic!("{e}"));
    let resumed = import::run(&t.app, &p, job.id, &columns, &mut csv, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (resumed.status.as_str(), resumed.rows_done, resumed.created),
        ("done", rows, rows)
    );
    assert_eq!(contacts_count(&t).await, rows as u64);
    // Re-running the whole file as a new job creates nothing more.
    let job = import::start(&t.app, &p, &spec, &columns, "utf-8")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut csv = CsvRows::open(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let again = import::run(&t.app, &p, job.id, &columns, &mut csv, &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again.created, again.unchanged), (0, rows));
    assert_eq!(contacts_count(&t).await, rows as u64);
    t.finish().await;
}

async fn contacts_count(t: &TestApp) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    karta_db::entities::contact::Entity::find()
        .filter(karta_db::entities::contact::Column::DeletedAt.is_null())
        .count(t.app.db.conn())
        .await
        .unwrap_or_default()
}

fn location(a: &Answer) -> String {
    a.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Reloads a job's page until it leaves `running`, as its refresh does.
async fn job_page(t: &TestApp, b: &karta_testkit::Browser, path: &str) -> String {
    for _ in 0..500 {
        let page = t.page(b, path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        if !page.text.contains(r#"data-status="running""#) {
            return page.text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{path} kept running");
}

#[tokio::test]
async fn in_the_browser_a_file_is_uploaded_mapped_by_hand_tried_imported_and_undone() {
    let t = TestApp::spawn().await;
    let token = t.user("rep@x.ru", "sales_rep", Some("A")).await;
    t.user("other@x.ru", "sales_rep", Some("A")).await;
    let rep = t.session("rep@x.ru").await;
    let file = "ФИО;Электронка;Что обсуждали\n\
                Кузнецова Алла;alla@x.ru;Скидка\n\
                Орлов Глеб;gleb@x.ru;\n\
                Неверов Иван;not-an-email;\n";
    let no_csrf = karta_testkit::Browser {
        cookie: rep.cookie.clone(),
        csrf: "forged".into(),
    };
    let forged = t
        .upload_form(
            &no_csrf,
            "/imports",
            &[("entity", "contacts")],
            ("c.csv", file.as_bytes()),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let empty = t
        .upload_form(&rep, "/imports", &[("entity", "contacts")], ("c.csv", b""))
        .await;
    assert!(
        location(&empty).ends_with("error=empty_file"),
        "{}",
        location(&empty)
    );

    let uploaded = t
        .upload_form(
            &rep,
            "/imports",
            &[("entity", "contacts")],
            ("c.csv", file.as_bytes()),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.text);
    let mapping = location(&uploaded);
    assert!(mapping.starts_with("/imports/new/"), "{mapping}");
    let page = t.page(&rep, &mapping).await;
    assert!(page.text.contains("windows-1251") || page.text.contains("utf-8"));
    assert!(
        page.text.contains(r#"<option value="full_name" selected>"#),
        "the name column is guessed"
    );
    assert!(page.text.contains("Скидка"), "sample values are shown");
    // Another user cannot reach this upload.
    let other = t.session("other@x.ru").await;
    let theirs = t.page(&other, &mapping).await;
    assert!(location(&theirs).ends_with("error=upload_expired"));

    let action = mapping.split('?').next().unwrap_or_default().to_string();
    let choices = |mode: &'static str, key: &'static str, action: &'static str| {
        vec![
            ("entity", "contacts"),
            ("name", "c.csv"),
            ("column.1", "full_name"),
            ("column.2", "emails"),
            ("column.3", "notes"),
            ("mode", mode),
            ("key", key),
            ("action", action),
        ]
    };
    // Updating without a key is refused on the mapping page, nothing started.
    let refused = t
        .form(&rep, &action, &choices("upsert", "", "import"))
        .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.text.contains("выберите ключ"), "{}", refused.text);
    assert!(
        refused.text.contains(r#"<option value="notes" selected>"#),
        "choices are kept"
    );
    assert!(t.get("/api/v1/imports", &token).await.json[0].is_null());

    let tried = t
        .form(&rep, &action, &choices("upsert", "emails", "dry_run"))
        .await;
    let job = location(&tried);
    assert!(job.starts_with("/imports/"), "{}", tried.text);
    let page = job_page(&t, &rep, &job).await;
    for shown in [
        "создано 2",
        "отклонено 1",
        "not-an-email",
        "Неверный адрес эл. почты.",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(
        page.contains(r#"value="import""#),
        "the dry run offers the import"
    );
    assert_eq!(contacts_count(&t).await, 0, "a dry run changes nothing");

    let done = t
        .form(&rep, &action, &choices("upsert", "emails", "import"))
        .await;
    let job = location(&done);
    let page = job_page(&t, &rep, &job).await;
    assert!(page.contains("Обработано строк: 3"), "{page}");
    assert_eq!(contacts_count(&t).await, 2);
    let id = job
        .trim_start_matches("/imports/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    let report = t.page(&rep, &format!("/imports/{id}/errors.csv")).await;
    assert!(
        report
            .text
            .starts_with("\u{feff}Строка,Колонка,Значение,Ошибка"),
        "{}",
        report.text
    );
    assert!(report.text.contains("4,Электронка,not-an-email,"));
    assert_eq!(
        t.page(&other, &format!("/imports/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let undone = t.form(&rep, &format!("/imports/{id}/undo"), &[]).await;
    assert!(
        location(&undone).ends_with("removed=2&restored=0&skipped=0"),
        "{}",
        location(&undone)
    );
    assert_eq!(contacts_count(&t).await, 0);
    let list = t.page(&rep, "/imports").await;
    assert!(list.text.contains("Отменён") && list.text.contains("c.csv"));
    t.finish().await;
}

/// The contacts the API lists, by last name, as the vCard round trip
/// compares them: the supported fields, and the company by name.
async fn cards_of(t: &TestApp, token: &str) -> std::collections::BTreeMap<String, Value> {
    let list = t.get("/api/v1/contacts?limit=100", token).await;
    let accounts = t.get("/api/v1/accounts?limit=100", token).await;
    let name_of = |id: &Value| {
        accounts.json["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["id"] == *id)
            .map(|a| a["name"].clone())
            .unwrap_or(Value::Null)
    };
    list.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let mut kept = json!({});
            for k in [
                "last_name",
                "first_name",
                "middle_name",
                "position",
                "emails",
                "phones",
                "messengers",
                "birthday",
                "notes",
            ] {
                kept[k] = c[k].clone();
            }
            kept["company"] = name_of(&c["account_ids"][0]);
            (
                c["last_name"].as_str().unwrap_or_default().to_string(),
                kept,
            )
        })
        .collect()
}

#[tokio::test]
async fn contacts_go_out_as_vcard_4_and_3_and_come_back_unchanged_into_another_karta() {
    let from = TestApp::spawn().await;
    let admin = from.user("admin@x.ru", "admin", None).await;
    let viewer = from.user("viewer@x.ru", "read_only", None).await;
    let company = from
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"name": "ООО «Ромашка», филиал; север"}),
        )
        .await;
    let notes =
        "Звонить после 15:00.\nСекретарь: Ольга, доб. 204; не путать с \\ бухгалтерией. ".repeat(3);
    for body in [
        json!({"last_name": "Иванова", "first_name": "Анна", "middle_name": "Сергеевна",
               "position": "Главный бухгалтер, зам. директора", "emails": ["anna@x.ru", "a.i@corp.ru"],
               "phones": ["+7 916 111-22-33", "+7 495 123-45-67"], "messengers": ["https://t.me/anna"],
               "birthday": "1985-03-07", "notes": notes.trim(), "account_ids": [company.json["id"]]}),
        json!({"last_name": "Smith", "first_name": "John", "emails": ["john@acme.com"]}),
    ] {
        let c = from.post("/api/v1/contacts", &admin, body).await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    }
    let original = cards_of(&from, &admin).await;
    assert_eq!(original.len(), 2);

    for version in ["4.0", "3.0"] {
        let export = from
            .get(
                &format!("/api/v1/contacts/export.vcf?version={version}"),
                &admin,
            )
            .await;
        assert_eq!(export.status, StatusCode::OK, "{}", export.text);
        assert!(export.text.contains(&format!("VERSION:{version}\r\n")));
        assert_eq!(export.text.matches("BEGIN:VCARD").count(), 2);

        let to = TestApp::spawn().await;
        let admin2 = to.user("admin@x.ru", "admin", None).await;
        to.post(
            "/api/v1/accounts",
            &admin2,
            json!({"name": "ООО «Ромашка», филиал; север"}),
        )
        .await;
        let path = "/api/v1/contacts/import.vcf?key=email";
        let job = finished(
            &to,
            &admin2,
            &to.upload(path, &admin2, export.text.clone().into_bytes())
                .await,
        )
        .await;
        assert_eq!(
            (job["created"].as_i64(), job["failed"].as_i64()),
            (Some(2), Some(0)),
            "{job}"
        );
        assert_eq!(
            cards_of(&to, &admin2).await,
            original,
            "vCard {version} round trip"
        );
        // The same file again changes nothing.
        let again = finished(
            &to,
            &admin2,
            &to.upload(path, &admin2, export.text.into_bytes()).await,
        )
        .await;
        assert_eq!(
            (again["created"].as_i64(), again["unchanged"].as_i64()),
            (Some(0), Some(2)),
            "{again}"
        );
        to.finish().await;
    }

    // Personal data stays out of a read-only user's cards.
    let theirs = from.get("/api/v1/contacts/export.vcf", &viewer).await;
    assert_eq!(theirs.text.matches("BEGIN:VCARD").count(), 2);
    assert!(
        !theirs.text.contains("EMAIL")
            && !theirs.text.contains("TEL")
            && !theirs.text.contains("BDAY")
    );
    let bad = from
        .get("/api/v1/contacts/export.vcf?version=2.1", &admin)
        .await;
    assert_eq!(bad.json["errors"][0]["code"], "invalid_version");
    let not_cards = from
        .upload(
            "/api/v1/contacts/import.vcf",
            &admin,
            b"name,email\nx,y\n".to_vec(),
        )
        .await;
    assert_eq!(
        not_cards.json["errors"][0]["code"], "no_cards",
        "{}",
        not_cards.text
    );

    // In the browser a .vcf upload becomes contacts with guessed columns.
    let b = from.session("admin@x.ru").await;
    let phone_book = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9F=D0=B5=D1=82=D1=80=D0=BE=D0=B2;=D0=98=D0=B2=D0=B0=D0=BD;;;\r\nTEL;CELL:+79161112233\r\nEND:VCARD\r\n";
    let up = from
        .upload_form(
            &b,
            "/imports",
            &[("entity", "accounts")],
            ("phone.vcf", phone_book.as_bytes()),
        )
        .await;
    let mapping = location(&up);
    assert!(mapping.contains("entity=contacts"), "{mapping}");
    let page = from.page(&b, &mapping).await;
    assert!(page.text.contains("Петров"), "{}", page.text);
    assert!(page.text.contains(r#"<option value="phones" selected>"#));
    from.finish().await;
}

#[tokio::test]
async fn a_mapping_saved_as_a_profile_maps_the_next_file_by_its_headers() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let viewer = t.user("viewer@x.ru", "read_only", None).await;
    let first = "Клиент №;Электронка;Прочее\nАнна Петрова;anna@x.ru;x\n";
    let profile = karta_testkit::encode("Выгрузка из 1С");
    let saved = t
        .upload(
            &format!("/api/v1/imports/contacts?dry_run=true&column.1=full_name&column.2=emails&column.3=&save_profile={profile}"),
            &admin,
            first.as_bytes().to_vec(),
        )
        .await;
    finished(&t, &admin, &saved).await;
    let list = t
        .get("/api/v1/imports/profiles?entity=contacts", &admin)
        .await;
    assert_eq!(list.json[0]["name"], "Выгрузка из 1С", "{}", list.text);
    assert_eq!(
        t.get("/api/v1/imports/profiles?entity=contacts", &viewer)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "only those who may import see the profiles"
    );
    // The next file has its columns in another order and one more column.
    let next = "Прочее;Должность;ЭЛЕКТРОНКА;Клиент №\nx;Директор;gleb@x.ru;Глеб Орлов\n";
    let by_profile = t
        .upload(
            &format!("/api/v1/imports/contacts/preview?profile={profile}"),
            &admin,
            next.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(
        by_profile.json["columns"],
        json!([null, "position", "emails", "full_name"]),
        "{}",
        by_profile.text
    );
    let unknown = t
        .upload(
            &format!(
                "/api/v1/imports/contacts/preview?profile={}",
                karta_testkit::encode("Нет")
            ),
            &admin,
            next.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(unknown.json["errors"][0]["field"], "profile");
    assert_eq!(unknown.json["errors"][0]["code"], "not_found");

    // On the mapping page the profile is offered and applied.
    let b = t.session("admin@x.ru").await;
    let up = t
        .upload_form(
            &b,
            "/imports",
            &[("entity", "contacts")],
            ("next.csv", next.as_bytes()),
        )
        .await;
    let mapping = location(&up);
    let page = t.page(&b, &mapping).await;
    assert!(page.text.contains("Выгрузка из 1С"));
    assert!(
        !page.text.contains(r#"<option value="emails" selected>"#),
        "not guessed from «ЭЛЕКТРОНКА»"
    );
    let applied = t.page(&b, &format!("{mapping}&profile={profile}")).await;
    assert!(
        applied.text.contains(r#"<option value="emails" selected>"#),
        "{}",
        applied.text
    );
    assert!(
        applied
            .text
            .contains(r#"<option value="full_name" selected>"#)
    );
    t.finish().await;
}

#[tokio::test]
async fn an_excel_workbook_imports_like_its_csv_with_line_numbers_of_the_sheet() {
    use karta_core::xlsx::{Cell, SheetWriter};
    let t = TestApp::spawn().await;
    let a = t.user("admin@x.ru", "admin", None).await;
    let header: Vec<String> = ["Фамилия", "Имя", "E-mail", "Телефон"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    let mut book = SheetWriter::new(Vec::new(), "Лист", &header).unwrap_or_else(|e| panic!("{e}"));
    for row in [
        [
            Cell::Text("Иванова"),
            Cell::Text("Анна"),
            Cell::Text("anna@x.ru"),
            // A phone typed into Excel as a number.
            Cell::Number("79161234567".into()),
        ],
        [
            Cell::Text("Петров"),
            Cell::Text("Олег"),
            Cell::Text("oleg@x.ru"),
            Cell::Empty,
        ],
        [
            Cell::Text("Без почты"),
            Cell::Empty,
            Cell::Text("не почта"),
            Cell::Empty,
        ],
    ] {
        book.row(&row).unwrap_or_else(|e| panic!("{e}"));
    }
    let bytes = book.finish().unwrap_or_else(|e| panic!("{e}"));
    let upload = t
        .upload("/api/v1/imports/contacts?key=email", &a, bytes.clone())
        .await;
    let job = finished(&t, &a, &upload).await;
    assert_eq!(
        (job["created"].as_i64(), job["failed"].as_i64()),
        (Some(2), Some(1)),
        "{job}"
    );
    assert_eq!(job["encoding"], "xlsx", "the job says what the file was");
    let errors = t
        .get(
            &format!(
                "/api/v1/imports/{}/errors",
                job["id"].as_str().unwrap_or_default()
            ),
            &a,
        )
        .await;
    assert_eq!(
        errors.json["items"][0]["line"], 4,
        "the sheet's row: {}",
        errors.text
    );
    assert_eq!(errors.json["items"][0]["column"], "E-mail");
    let anna = t.get("/api/v1/contacts?q=Иванова", &a).await;
    assert_eq!(anna.json["items"][0]["phones"], json!(["+79161234567"]));
    // The same workbook again finds both and creates nothing.
    let again = t
        .upload("/api/v1/imports/contacts?key=email", &a, bytes)
        .await;
    let job = finished(&t, &a, &again).await;
    assert_eq!(
        (job["created"].as_i64(), job["unchanged"].as_i64()),
        (Some(0), Some(2)),
        "{job}"
    );
    // A damaged workbook is explained.
    let broken = t
        .upload(
            "/api/v1/imports/contacts",
            &a,
            b"PK\x03\x04 not really".to_vec(),
        )
        .await;
    assert_eq!(
        broken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        broken.text
    );
    assert_eq!(broken.json["errors"][0]["code"], "unreadable_workbook");
    t.finish().await;
}

#[tokio::test]
async fn a_catalogue_from_1c_upserts_by_article_and_undo_puts_prices_back() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    for (code, ru) in [("machines", "Станки"), ("tools", "Инструмент")] {
        let made = t
            .post(
                "/api/v1/classifiers",
                &admin,
                json!({"kind": "product_category", "code": code, "label_ru": ru, "label_en": code}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    }
    let file = cp1251(
        "Артикул;Наименование;Группа;Ед. изм.;Ставка НДС;Цена;Остаток\r\n\
         ST-16K20;Станок токарный 16К20;Станки;шт;20 %;2 000 000,00;3\r\n\
         FRZ-10;Фреза концевая 10 мм;Инструмент;шт.;20;1 250,50;140\r\n\
         SRV-1;Пусконаладка;;услуга;22;45 000;\r\n\
         ESK-1;Эскизный проект;;услуга;Без НДС;1 500,00 р.;\r\n\
         BAD 1;Плохой артикул;;;;100;\r\n\
         FRZ-12;Фреза 12 мм;;шт;15;1 300;много\r\n",
    );
    let preview = t
        .upload("/api/v1/imports/products/preview", &head, file.clone())
        .await;
    assert_eq!(
        preview.json["columns"],
        json!([
            "sku",
            "name",
            "category",
            "unit",
            "vat_rate",
            "list_price",
            "stock_quantity"
        ]),
        "{}",
        preview.text
    );
    let refused = t
        .upload("/api/v1/imports/products?key=sku", &rep, file.clone())
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "reps do not keep the catalogue"
    );

    let job = finished(
        &t,
        &head,
        &t.upload("/api/v1/imports/products?key=sku", &head, file.clone())
            .await,
    )
    .await;
    assert_eq!(
        (job["created"].as_i64(), job["failed"].as_i64()),
        (Some(4), Some(2)),
        "{job}"
    );
    let (codes, errors) = error_codes(&t, &head, &job).await;
    assert!(codes.contains(&(6, "invalid_sku".into())), "{errors}");
    assert!(
        codes.contains(&(7, "invalid_whole_number".into())),
        "{errors}"
    );
    assert!(
        codes.contains(&(7, "invalid_vat_rate".into())),
        "the row's other problems too: {errors}"
    );
    let lathe = t.get("/api/v1/products?q=16К20", &rep).await.json["items"][0].clone();
    assert_eq!(lathe["sku"], "ST-16K20");
    assert_eq!(lathe["list_price_minor"], 200_000_000);
    assert_eq!(lathe["vat_rate"], 20);
    assert_eq!(lathe["category"], "machines");
    assert_eq!(lathe["stock_quantity"], 3);
    let service = t.get("/api/v1/products?q=Пусконаладка", &rep).await.json["items"][0].clone();
    assert_eq!(
        (service["unit"].as_str(), service["vat_rate"].as_i64()),
        (Some("service"), Some(22))
    );
    // 1C's «Без НДС» is no VAT, and a price may carry its rouble mark.
    let sketch = t.get("/api/v1/products?q=Эскизный", &rep).await.json["items"][0].clone();
    assert_eq!(
        (
            sketch["vat_rate"].as_i64(),
            sketch["list_price_minor"].as_i64()
        ),
        (Some(0), Some(150_000)),
        "{sketch}"
    );

    // A new price list from 1C: the same articles, new prices; nothing doubles.
    let prices = "Артикул;Цена\nST-16K20;2 100 000\nFRZ-10;1 250,50\n";
    let second = finished(
        &t,
        &head,
        &t.upload(
            "/api/v1/imports/products?key=sku",
            &head,
            prices.as_bytes().to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            second["created"].as_i64(),
            second["updated"].as_i64(),
            second["unchanged"].as_i64()
        ),
        (Some(0), Some(1), Some(1)),
        "{second}"
    );
    let all = t.get("/api/v1/products?limit=100", &head).await;
    assert_eq!(all.json["items"].as_array().map(Vec::len), Some(4));
    let undo = t
        .post(
            &format!(
                "/api/v1/imports/{}/undo",
                second["id"].as_str().unwrap_or_default()
            ),
            &head,
            json!({}),
        )
        .await;
    assert_eq!(undo.json["restored"], 1, "{}", undo.text);
    let lathe = t
        .get(
            &format!(
                "/api/v1/products/{}",
                lathe["id"].as_str().unwrap_or_default()
            ),
            &head,
        )
        .await;
    assert_eq!(
        lathe.json["list_price_minor"], 200_000_000,
        "the old price is back"
    );

    // The same from the import page.
    let browser = t.session("head@x.ru").await;
    let uploaded = t
        .upload_form(
            &browser,
            "/imports",
            &[("entity", "products")],
            (
                "prices.csv",
                "Артикул;Наименование;Цена\nKRG-125;Круг шлифовальный;360\n".as_bytes(),
            ),
        )
        .await;
    let mapping = location(&uploaded);
    let page = t.page(&browser, &mapping).await;
    assert!(
        page.text.contains(r#"<option value="sku" selected>"#)
            && page
                .text
                .contains(r#"<option value="list_price" selected>"#),
        "{}",
        page.text
    );
    let action = mapping.split('?').next().unwrap_or_default().to_string();
    let done = t
        .form(
            &browser,
            &action,
            &[
                ("entity", "products"),
                ("name", "prices.csv"),
                ("column.1", "sku"),
                ("column.2", "name"),
                ("column.3", "list_price"),
                ("mode", "upsert"),
                ("key", "sku"),
                ("action", "import"),
            ],
        )
        .await;
    let page = job_page(&t, &browser, &location(&done)).await;
    assert!(page.contains("создано 1"), "{page}");
    let wheel = t.get("/api/v1/products?q=KRG-125", &head).await;
    assert_eq!(wheel.json["items"][0]["list_price_minor"], 36_000);
    t.finish().await;
}

#[tokio::test]
async fn leads_from_an_exhibition_are_routed_and_a_repeat_by_email_updates_them() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    let rep = t.user("rep@x.ru", "sales_rep", Some("Москва")).await;
    let file = "ФИО,Компания,E-mail,Телефон,Что интересует,Ответственный\n\
                Пётр Иванов,ООО Ромашка,petr@romashka.ru,+7 495 123-45-67,Токарные станки,\n\
                Анна Смирнова,АО Лютик,anna@lutik.ru,,Фрезы,rep@x.ru\n\
                Без почты,ИП Кто-то,,,Станки,\n\
                Плохая почта,ООО Икс,not-an-email,,Станки,\n";
    let dry = finished(
        &t,
        &head,
        &t.upload(
            "/api/v1/imports/leads?key=email&dry_run=true",
            &head,
            file.as_bytes().to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (dry["created"].as_i64(), dry["failed"].as_i64()),
        (Some(2), Some(2)),
        "{dry}"
    );
    assert_eq!(
        t.get("/api/v1/leads", &head).await.json["items"],
        json!([]),
        "a dry run writes nothing"
    );

    let job = finished(
        &t,
        &head,
        &t.upload(
            "/api/v1/imports/leads?key=email",
            &head,
            file.as_bytes().to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (job["created"].as_i64(), job["failed"].as_i64()),
        (Some(2), Some(2)),
        "{job}"
    );
    let mine = t.get("/api/v1/leads", &rep).await;
    let names: Vec<&str> = mine.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["person_name"].as_str())
        .collect();
    assert!(
        names.contains(&"Анна Смирнова"),
        "the file's owner: {}",
        mine.text
    );
    let anna = mine.json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|l| l["person_name"] == "Анна Смирнова")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (anna["status"].as_str(), anna["channel"].as_str()),
        (Some("assigned"), Some("import"))
    );

    let again = "E-mail;Что интересует\nANNA@lutik.ru;Фрезы и свёрла\n";
    let second = finished(
        &t,
        &head,
        &t.upload(
            "/api/v1/imports/leads?key=email",
            &head,
            again.as_bytes().to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (second["created"].as_i64(), second["updated"].as_i64()),
        (Some(0), Some(1)),
        "{second}"
    );
    let all = t.get("/api/v1/leads?limit=100", &head).await;
    assert_eq!(
        all.json["items"].as_array().map(Vec::len),
        Some(2),
        "no lead doubled"
    );
    let anna = t
        .get(
            &format!("/api/v1/leads/{}", anna["id"].as_str().unwrap_or_default()),
            &head,
        )
        .await;
    assert_eq!(anna.json["interest"], "Фрезы и свёрла");
    // By phone, written another way than in the first file.
    let by_phone = "Телефон;Сообщение\n8 (495) 123-45-67;Перезвонить после выставки\n";
    let third = finished(
        &t,
        &head,
        &t.upload(
            "/api/v1/imports/leads?key=phone",
            &head,
            by_phone.as_bytes().to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (third["created"].as_i64(), third["updated"].as_i64()),
        (Some(0), Some(1)),
        "{third}"
    );
    let petr = t.get("/api/v1/leads?q=Пётр", &head).await;
    assert_eq!(
        petr.json["items"][0]["message"], "Перезвонить после выставки",
        "{}",
        petr.text
    );
    t.finish().await;
}

#[tokio::test]
async fn rows_finding_records_in_one_batch_see_each_others_writes_and_ambiguity() {
    let t = TestApp::spawn().await;
    let admin = t.user("admin@x.ru", "admin", None).await;
    for body in [
        json!({"last_name": "Первый", "emails": ["one@x.ru"]}),
        json!({"last_name": "Двойник А", "emails": ["twin@x.ru"]}),
        json!({"last_name": "Двойник Б", "emails": ["twin@x.ru"]}),
        json!({"last_name": "Второй", "emails": ["two@x.ru"]}),
    ] {
        let made = t.post("/api/v1/contacts", &admin, body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    }
    // Two rows for the same contact, a shared address, and a row naming
    // two different contacts.
    let file = "E-mail;Должность\n\
                one@x.ru;Инженер\n\
                one@x.ru;Главный инженер\n\
                twin@x.ru;Кто-то\n\
                one@x.ru, two@x.ru;Оба\n";
    let job = finished(
        &t,
        &admin,
        &t.upload(
            "/api/v1/imports/contacts?key=email",
            &admin,
            file.as_bytes().to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            job["updated"].as_i64(),
            job["failed"].as_i64(),
            job["created"].as_i64()
        ),
        (Some(2), Some(2), Some(0)),
        "{job}"
    );
    let (codes, errors) = error_codes(&t, &admin, &job).await;
    assert_eq!(
        codes,
        vec![(4, "key_ambiguous".into()), (5, "key_ambiguous".into())],
        "{errors}"
    );
    let one = t.get("/api/v1/contacts?q=Первый", &admin).await;
    assert_eq!(
        one.json["items"][0]["position"], "Главный инженер",
        "the later row wins"
    );
    assert_eq!(
        one.json["items"][0]["version"], 3,
        "two updates, one after the other"
    );
    t.finish().await;
}

#[tokio::test]
async fn the_catalogue_exported_as_a_workbook_comes_back_unchanged() {
    let t = TestApp::spawn().await;
    let head = t.user("head@x.ru", "head_of_sales", None).await;
    for body in [
        json!({"sku": "ST-16K20", "name": "Станок токарный 16К20", "name_en": "Lathe 16K20",
               "list_price_minor": 200_000_050, "cost_price_minor": 150_000_000, "vat_rate": 22,
               "stock_quantity": 3}),
        json!({"sku": "SRV-1", "name": "Пусконаладка", "unit": "service", "vat_rate": 0,
               "list_price_minor": 4_500_000, "active": false}),
    ] {
        let made = t.post("/api/v1/products", &head, body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    }
    let book = t.get("/api/v1/products/export.xlsx", &head).await;
    let preview = t
        .upload(
            "/api/v1/imports/products/preview",
            &head,
            book.bytes.to_vec(),
        )
        .await;
    // Each column a person sees is read back into its field.
    assert_eq!(
        preview.json["columns"],
        json!([
            null,
            "sku",
            "name",
            "name_en",
            "description",
            "category",
            "unit",
            "vat_rate",
            "cost_price",
            "list_price",
            null,
            "currency",
            "stock_quantity",
            "active",
            null,
            null
        ]),
        "{}",
        preview.text
    );
    let job = finished(
        &t,
        &head,
        &t.upload(
            "/api/v1/imports/products?key=sku&dry_run=true",
            &head,
            book.bytes.to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            job["unchanged"].as_i64(),
            job["updated"].as_i64(),
            job["failed"].as_i64()
        ),
        (Some(2), Some(0), Some(0)),
        "{job}\n{}",
        preview.text
    );
    t.finish().await;
}
