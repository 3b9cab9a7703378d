//! Bulk import through the web: the upload page (`/inbox/import`, a multipart form whose
//! `_csrf` part the guard reads without reading the file) and `POST
//! /api/v1/accounts/{id}/import` (the file as the body), over a real store and socket.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use humas_domain::{Account, AccountId};
use humas_store::{AuditQuery, MessageQuery};
use serde_json::Value;
use support::TestApp;

/// The importer's first account in an OPD.
async fn account_of(t: &TestApp, slug: &str) -> Account {
    let opd = t.opd(slug).await;
    t.store().list_accounts(Some(opd)).await.unwrap().remove(0)
}

fn line(id: &str, text: &str) -> String {
    serde_json::json!({
        "id": id,
        "author": "@warga_sby",
        "text": text,
        "published_at": "2026-11-28 10:00",
    })
    .to_string()
}

/// Posts the import form: the token first (as the page's form sends it), then the account,
/// the format and the file.
async fn upload(
    t: &TestApp,
    c: &reqwest::Client,
    csrf: Option<&str>,
    account: &str,
    format: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    if let Some(token) = csrf {
        form = form.text("_csrf", token.to_owned());
    }
    let form = form
        .text("account", account.to_owned())
        .text("format", format.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
        );
    c.post(t.url("/inbox/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The text of the element with this id.
fn text_of(page: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in the page"))
        + marker.len();
    let end = page[start..].find('<').unwrap() + start;
    page[start..end].trim().to_owned()
}

async fn stored(t: &TestApp, account: AccountId) -> Vec<String> {
    let q = MessageQuery {
        account: Some(account),
        limit: 1_000,
        ..MessageQuery::default()
    };
    t.store()
        .list_messages(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.inbound.external_id.as_ref().to_owned())
        .collect()
}

async fn import_audits(t: &TestApp) -> Vec<humas_domain::AuditEntry> {
    t.store()
        .query_audit(&AuditQuery {
            action_prefix: Some("message.import".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_file_larger_than_the_usual_body_limit_is_stored_and_audited() {
    let t = TestApp::spawn().await;
    let account = account_of(&t, "dinkes").await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    // The inbox offers the page to those who may import.
    let inbox = op
        .get(t.url("/inbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inbox.contains("href=\"/inbox/import\""));
    let form = op.get(t.url("/inbox/import")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let form = form.text().await.unwrap();
    assert!(form.contains(&account.id.to_string()));
    let other = account_of(&t, "bpbd").await;
    assert!(
        !form.contains(&other.id.to_string()),
        "only accounts of the operator's own OPD are offered"
    );

    // 1,500 lines of ~300 bytes: more than one batch, and far over the 256 KiB other forms get.
    let padding = "Mohon perbaikan jalan berlubang di depan puskesmas. ".repeat(5);
    let file: String = (0..1_500)
        .map(|i| line(&format!("web-{i}"), &format!("{i} {padding}")) + "\n")
        .collect();
    assert!(file.len() > 400 * 1024);
    let resp = upload(
        &t,
        &op,
        Some(&csrf),
        &account.id.to_string(),
        "auto",
        "kiriman.ndjson",
        file.clone().into_bytes(),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    assert_eq!(text_of(&page, "import-inserted"), "1.500", "{page}");
    assert_eq!(text_of(&page, "import-duplicates"), "0");
    assert_eq!(text_of(&page, "import-rejected"), "0");
    assert!(page.contains("Hasil impor"));
    for id in ["web-0", "web-999", "web-1000"] {
        t.store()
            .message_by_external_id(account.platform, id)
            .await
            .unwrap();
    }
    let one = t
        .store()
        .message_by_external_id(account.platform, "web-1499")
        .await
        .unwrap();
    assert!(one.inbound.text.starts_with("1499 Mohon"));

    // The same file again: nothing new, every line a duplicate.
    let again = upload(
        &t,
        &op,
        Some(&csrf),
        &account.id.to_string(),
        "ndjson",
        "kiriman.ndjson",
        file.into_bytes(),
    )
    .await;
    let page = again.text().await.unwrap();
    assert_eq!(text_of(&page, "import-inserted"), "0");
    assert_eq!(text_of(&page, "import-duplicates"), "1.500");

    let audits = import_audits(&t).await;
    assert_eq!(audits.len(), 2);
    let first = audits.last().unwrap();
    assert_eq!(first.actor, "operator.dinkes");
    assert_eq!(first.target_id, account.id.to_string());
    let after: Value = serde_json::from_str(first.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["file_name"], "kiriman.ndjson");
    assert_eq!(after["format"], "ndjson");
    assert_eq!(after["inserted"], 1_500);
    assert_eq!(after["duplicates"], 0);
    assert_eq!(after["rejected"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lines_are_listed_with_their_numbers_and_the_rest_is_stored() {
    let t = TestApp::spawn().await;
    let account = account_of(&t, "dinkes").await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let mut lines = vec![
        line("mix-1", "Pelayanan KTP lambat sekali"),
        "{not json".to_owned(),
        line("mix-3", ""),
        String::new(),
        serde_json::json!({"id": "mix-5", "text": "tanpa pengirim", "published_at": "2026-11-28 10:00"})
            .to_string(),
        line("mix-6", "Terima kasih atas layanannya"),
    ];
    // 250 more broken lines: the page shows 200 rejected lines and counts the rest.
    lines.extend((0..250).map(|i| format!("broken {i}")));
    let mut file = lines.join("\n").into_bytes();
    // A line that is not UTF-8 is rejected alone.
    file.extend_from_slice(b"\n{\"id\":\"mix-bad\",\"author\":\"@a\",\"text\":\"\xff\xfe\",\"published_at\":\"2026-11-28 10:00\"}\n");
    file.extend_from_slice(line("mix-last", "Baris terakhir tetap masuk").as_bytes());
    let resp = upload(
        &t,
        &op,
        Some(&csrf),
        &account.id.to_string(),
        "auto",
        "campuran.txt",
        file,
    )
    .await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    assert_eq!(text_of(&page, "import-inserted"), "3", "{page}");
    let rejected = 3 + 250 + 1;
    assert_eq!(text_of(&page, "import-rejected"), rejected.to_string());
    let table = &page[page.find("id=\"import-rejected-lines\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr><td>").count(), 200);
    // In Bahasa Indonesia, the reader's default, with the technical detail after it.
    for (n, why) in [
        (2, "bukan JSON yang sah"),
        (3, "Pesan tanpa teks"),
        (5, "Nama akun pengirim"),
        (7, "bukan JSON yang sah"),
    ] {
        let row = format!("<tr><td>{n}</td><td>");
        let at = table
            .find(&row)
            .unwrap_or_else(|| panic!("line {n} is listed"));
        let reason = &table[at + row.len()..];
        let reason = &reason[..reason.find("</td>").unwrap()];
        assert!(reason.contains(why), "line {n}: {reason}");
    }
    assert!(text_of(&page, "import-more").contains("54"));
    let ids = stored(&t, account.id).await;
    for id in ["mix-1", "mix-6", "mix-last"] {
        assert!(ids.contains(&id.to_owned()), "{id} stored");
    }
    assert!(!ids.iter().any(|id| id == "mix-bad" || id == "mix-3"));

    // The not-UTF-8 line is named by number through the API too, in English.
    let token = t.token("operator.dinkes").await;
    let body = b"{\"id\":\"api-utf\",\"author\":\"@a\",\"text\":\"ok\",\"published_at\":\"2026-11-28 10:00\"}\n{\"id\":\"x\",\"author\":\"@a\",\"text\":\"\xc3\x28\",\"published_at\":\"2026-11-28 10:00\"}\n".to_vec();
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/accounts/{}/import", account.id)))
        .bearer_auth(&token)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["inserted"], 1);
    assert_eq!(json["rejected_count"], 1);
    assert_eq!(json["rejected"][0]["line"], 2);
    assert_eq!(json["rejected"][0]["code"], "not_utf8");
    assert!(
        json["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("UTF-8"),
        "{json}"
    );
}

/// The reason in the rejected-lines table for line `n`.
fn reason_of(page: &str, n: u64) -> String {
    let table = &page[page.find("id=\"import-rejected-lines\"").unwrap()..];
    let row = format!("<tr><td>{n}</td><td>");
    let at = table
        .find(&row)
        .unwrap_or_else(|| panic!("line {n} is listed: {table}"));
    let reason = &table[at + row.len()..];
    reason[..reason.find("</td>").unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_line_is_explained_in_the_readers_language() {
    let t = TestApp::spawn().await;
    let account = account_of(&t, "dinkes").await;
    let op = t.signed_in("operator.dinkes").await;
    let file = || format!("{}\n{{\"id\": rusak\n", line("lang-1", "Jalan berlubang")).into_bytes();
    let id = account.id.to_string();

    let csrf = t.csrf(&op).await;
    let resp = upload(&t, &op, Some(&csrf), &id, "ndjson", "a.ndjson", file()).await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    let reason = reason_of(&page, 2);
    assert!(
        reason.starts_with("Baris ini bukan JSON yang sah. ("),
        "{reason}"
    );
    // serde's detail follows, untranslated; the English sentence does not.
    assert!(reason.contains("line 1 column"), "{reason}");
    assert!(!reason.contains("invalid JSON"), "{reason}");

    let switched = op.get(t.url("/lang?to=en")).send().await.unwrap();
    assert!(switched.status().is_success() || switched.status().is_redirection());
    let csrf = t.csrf(&op).await;
    let resp = upload(&t, &op, Some(&csrf), &id, "ndjson", "a.ndjson", file()).await;
    assert_eq!(resp.status(), 200);
    let page = resp.text().await.unwrap();
    let reason = reason_of(&page, 2);
    assert!(
        reason.starts_with("The line is not valid JSON. ("),
        "{reason}"
    );
    assert!(reason.contains("line 1 column"), "{reason}");
    assert!(!reason.contains("Baris"), "{reason}");

    // The API names the problem by its code, next to the English reason.
    let token = t.token("operator.dinkes").await;
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/accounts/{id}/import")))
        .bearer_auth(&token)
        .header("content-type", "application/x-ndjson")
        .body(file())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["rejected"][0]["code"], "invalid_json", "{json}");
    assert!(
        json["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON: "),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_with_wrong_columns_is_refused_whole_and_good_csv_is_stored() {
    let t = TestApp::spawn().await;
    let account = account_of(&t, "dinkes").await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let wrong = "id,pengirim,text,published_at\ncsv-1,@a,Halo,2026-11-28 10:00\n";
    let resp = upload(
        &t,
        &op,
        Some(&csrf),
        &account.id.to_string(),
        "auto",
        "ekspor.csv",
        wrong.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let page = resp.text().await.unwrap();
    let alert = text_of(&page, "form-error");
    assert!(alert.starts_with("Berkas tidak dapat dibaca"), "{alert}");
    assert!(alert.contains("pengirim"), "names the column: {alert}");
    assert!(stored(&t, account.id).await.iter().all(|id| id != "csv-1"));
    // The refusal is audited too, with its reason.
    let audits = import_audits(&t).await;
    assert_eq!(audits.len(), 1);
    assert!(audits[0].after.as_deref().unwrap().contains("pengirim"));

    // Through the API: 422 `import_unreadable`; a good CSV, with a bad date line, is stored.
    let token = t.token("operator.dinkes").await;
    let api = reqwest::Client::new();
    let url = t.url(&format!(
        "/api/v1/accounts/{}/import?file_name=ekspor.csv",
        account.id
    ));
    let resp = api
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["error"]["code"], "import_unreadable");
    let good = "text,id,author,published_at\n\"Banjir di Jl. Raya, mohon bantuan\",csv-2,@b,2026-11-28 10:00\nLampu mati,csv-3,@c,kemarin\n";
    let resp = api
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["format"], "csv");
    assert_eq!(json["file_name"], "ekspor.csv");
    assert_eq!(json["inserted"], 1);
    assert_eq!(json["rejected"][0]["line"], 3);
    let m = t
        .store()
        .message_by_external_id(account.platform, "csv-2")
        .await
        .unwrap();
    assert_eq!(m.inbound.text, "Banjir di Jl. Raya, mohon bantuan");
    // Another body type is refused before anything is read.
    let resp = api
        .post(&url)
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_the_limit_is_refused_with_a_clear_message() {
    let t = TestApp::spawn().await;
    let account = account_of(&t, "dinkes").await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let big = vec![b' '; 50 * 1024 * 1024 + 1];
    let resp = upload(
        &t,
        &op,
        Some(&csrf),
        &account.id.to_string(),
        "ndjson",
        "besar.ndjson",
        big.clone(),
    )
    .await;
    assert_eq!(resp.status(), 413);
    let page = resp.text().await.unwrap();
    assert!(page.contains("lebih besar dari 50 MiB"), "{page}");

    let token = t.token("operator.dinkes").await;
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/accounts/{}/import", account.id)))
        .bearer_auth(&token)
        .header("content-type", "application/x-ndjson")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["error"]["code"], "import_too_large");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("50 MiB")
    );

    // Without a declared length (chunked), reading stops at the limit: what came before it is
    // stored and the answer says so.
    let mut head: String = (0..10)
        .map(|i| line(&format!("big-{i}"), "Pesan sebelum batas") + "\n")
        .collect();
    head.push_str(&" ".repeat(50 * 1024 * 1024));
    let (status, body) = chunked_post(
        &t,
        &format!("/api/v1/accounts/{}/import", account.id),
        &token,
        head.into_bytes(),
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body.contains("the 10 new messages read before the limit are stored"),
        "{body}"
    );
    let ids = stored(&t, account.id).await;
    assert_eq!(ids.iter().filter(|id| id.starts_with("big-")).count(), 10);
}

/// Posts `body` as NDJSON with `Transfer-Encoding: chunked` (no declared length) over a raw
/// connection, writing while the answer is read; returns the status and the answer's body.
async fn chunked_post(t: &TestApp, path: &str, token: &str, body: Vec<u8>) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = t.base.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let writer = tokio::spawn(async move {
        wr.write_all(head.as_bytes()).await?;
        for chunk in body.chunks(256 * 1024) {
            wr.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            wr.write_all(chunk).await?;
            wr.write_all(b"\r\n").await?;
        }
        wr.write_all(b"0\r\n\r\n").await?;
        wr.flush().await?;
        // Dropping the half would half-close the connection, which the server takes as the
        // client giving up; it is kept until the answer is read.
        Ok::<_, std::io::Error>(wr)
    });
    let mut answer = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let read = tokio::time::timeout(std::time::Duration::from_secs(60), rd.read(&mut buf))
            .await
            .expect("the server answers");
        match read {
            Ok(0) => break,
            Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
        let text = String::from_utf8_lossy(&answer);
        if let Some(split) = text.find("\r\n\r\n") {
            let length = text[..split]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(usize::MAX);
            if answer.len() >= split + 4 + length {
                break;
            }
        }
    }
    writer.abort();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_opds_unknown_accounts_and_readers_are_refused() {
    let t = TestApp::spawn().await;
    let own = account_of(&t, "dinkes").await;
    let other = account_of(&t, "bpbd").await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let file = (line("nope-1", "Tidak boleh masuk") + "\n").into_bytes();
    let resp = upload(
        &t,
        &op,
        Some(&csrf),
        &other.id.to_string(),
        "auto",
        "a.ndjson",
        file.clone(),
    )
    .await;
    assert_eq!(resp.status(), 403);
    let resp = upload(
        &t,
        &op,
        Some(&csrf),
        &AccountId::generate().to_string(),
        "auto",
        "a.ndjson",
        file.clone(),
    )
    .await;
    assert_eq!(resp.status(), 404);
    let token = t.token("operator.dinkes").await;
    let api = reqwest::Client::new();
    for (id, status) in [
        (other.id.to_string(), 403),
        (AccountId::generate().to_string(), 404),
        ("not-an-id".to_owned(), 404),
    ] {
        let resp = api
            .post(t.url(&format!("/api/v1/accounts/{id}/import")))
            .bearer_auth(&token)
            .header("content-type", "application/x-ndjson")
            .body(file.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{id}");
    }
    assert!(stored(&t, other.id).await.iter().all(|id| id != "nope-1"));

    // Leadership reads the inbox but imports nowhere: no link, no page, no upload.
    let boss = t.signed_in("pimpinan").await;
    let inbox = boss
        .get(t.url("/inbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!inbox.contains("href=\"/inbox/import\""));
    assert_eq!(
        boss.get(t.url("/inbox/import"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let boss_csrf = t.csrf(&boss).await;
    let resp = upload(
        &t,
        &boss,
        Some(&boss_csrf),
        &own.id.to_string(),
        "auto",
        "a.ndjson",
        file,
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(stored(&t, own.id).await.iter().all(|id| id != "nope-1"));
    assert!(import_audits(&t).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_without_the_token_before_the_file_is_refused() {
    let t = TestApp::spawn().await;
    let account = account_of(&t, "dinkes").await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let file = (line("csrf-1", "Tanpa token") + "\n").into_bytes();
    // No token at all.
    let resp = upload(
        &t,
        &op,
        None,
        &account.id.to_string(),
        "auto",
        "a.ndjson",
        file.clone(),
    )
    .await;
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().contains("Token keamanan"));
    // A wrong token.
    let resp = upload(
        &t,
        &op,
        Some("not-the-token"),
        &account.id.to_string(),
        "auto",
        "a.ndjson",
        file.clone(),
    )
    .await;
    assert_eq!(resp.status(), 403);
    // The right token, but after the file: the guard does not read the file to find it.
    let form = reqwest::multipart::Form::new()
        .text("account", account.id.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.clone()).file_name("a.ndjson"),
        )
        .text("_csrf", csrf.clone());
    let resp = op
        .post(t.url("/inbox/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(stored(&t, account.id).await.iter().all(|id| id != "csrf-1"));
    // From another site, even with the token.
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.clone())
        .text("account", account.id.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file.clone()).file_name("a.ndjson"),
        );
    let resp = op
        .post(t.url("/inbox/import"))
        .header("origin", "https://evil.example")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(stored(&t, account.id).await.iter().all(|id| id != "csrf-1"));
    // The token as a header (a script's upload) works, with the file streamed.
    let form = reqwest::multipart::Form::new()
        .text("account", account.id.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name("a.ndjson"),
        );
    let resp = op
        .post(t.url("/inbox/import"))
        .header("x-csrf-token", &csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(stored(&t, account.id).await.contains(&"csrf-1".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_may_take_longer_than_other_requests() {
    let limit = std::time::Duration::from_millis(100);
    let t = TestApp::spawn_configured(
        humas_app::AuthSettings::for_tests(),
        humas_web::WebSettings {
            request_timeout: limit,
            ..humas_web::WebSettings::default()
        },
    )
    .await;
    let account = account_of(&t, "dinkes").await;
    let token = t.token("operator.dinkes").await;
    let file: String = (0..3_000)
        .map(|i| {
            line(
                &format!("slow-{i}"),
                &format!("Antrean puskesmas {i} panjang sekali"),
            ) + "\n"
        })
        .collect();
    let started = std::time::Instant::now();
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/accounts/{}/import", account.id)))
        .bearer_auth(&token)
        .header("content-type", "application/x-ndjson")
        .body(file)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(resp.status(), 200);
    assert!(
        took > limit,
        "the import must outlast request_timeout to test it ({took:?})"
    );
    let json: Value = resp.json().await.unwrap();
    assert_eq!(json["inserted"], 3_000);
}
