//! The help center's images on a real S3 server (s3s-fs) with a bucket of each test's own: staff
//! upload them through the checks every file passes, anyone on the organisation's host reads
//! them at `/help/images/{id}` (never another organisation's), the same content is one object
//! counted once, deleting the last image of a content deletes its object, and what is refused
//! stores nothing.

use std::time::Duration;

use harness::TestResponse;
use reqwest::Method;
use serde_json::{Value, json};

use crate::attachments::{BOUNDARY, Bucket, PDF, PNG, Part, desk_on_s3, form};
use crate::helpers::Person;
use crate::tickets::Desk;

/// `POST /v1/kb/images` with `body` as the form, by `who` (or nobody).
async fn post_form(desk: &Desk, who: Option<&Person>, body: impl Into<reqwest::Body>) -> TestResponse {
    let mut request = desk
        .app
        .server
        .request(Method::POST, "/v1/kb/images")
        .header("x-tenant-slug", &desk.org.slug)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body);
    if let Some(who) = who {
        request = request.bearer_auth(&who.token);
    }
    TestResponse::from(request.send().await.expect("request sent")).await
}

async fn upload(desk: &Desk, who: Option<&Person>, file_name: &str, content: &[u8]) -> TestResponse {
    post_form(desk, who, form(&[Part { name: "file", file_name: Some(file_name), content }])).await
}

async fn uploaded(desk: &Desk, who: &Person, file_name: &str, content: &[u8]) -> Value {
    let answer = upload(desk, Some(who), file_name, content).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()
}

/// `GET /help/images/{id}` on `slug`'s host, redirects not followed.
async fn read(desk: &Desk, slug: &str, path: &str) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    client.get(desk.app.server.url(path)).header("x-tenant-slug", slug).send().await.expect("request sent")
}

async fn tenant_id(desk: &Desk) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&desk.org.slug)
        .fetch_one(&desk.platform.control.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_upload_images_anyone_reads_them_and_the_last_one_deleted_takes_its_object() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |_| {}).await;
    let agent = desk.member("agent").await;
    let customer = desk.member("customer").await;

    let first = uploaded(&desk, &agent, "parcel label.png", PNG).await;
    let id = first["id"].as_str().unwrap();
    assert_eq!(first["url"], format!("/help/images/{id}"));
    assert_eq!(
        (first["mime_type"].as_str(), first["original_name"].as_str()),
        (Some("image/png"), Some("parcel label.png"))
    );
    assert_eq!(first["file_size"], PNG.len());
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(PNG));
    assert_eq!(bucket.keys().await, [format!("tenants/{}/help/{sha}.png", tenant_id(&desk).await)]);
    let used = || desk.db.scalar("SELECT bytes_used FROM storage_usage");
    assert_eq!(used().await, i64::try_from(PNG.len()).unwrap());
    // The same content again is a second image of one object, counted once.
    let second = uploaded(&desk, &desk.owner, "copy.png", PNG).await;
    assert_ne!(second["id"], first["id"]);
    assert_eq!(bucket.keys().await.len(), 1);
    assert_eq!(used().await, i64::try_from(PNG.len()).unwrap());

    // Anyone on the host reads it, by a redirect to the file; another organisation's host has no
    // such image, and neither has a made-up or malformed id.
    let answer = read(&desk, &desk.org.slug, &format!("/help/images/{id}")).await;
    assert_eq!(answer.status(), 303);
    let cache = answer.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(cache.starts_with("private, max-age="), "{cache}");
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    let file = reqwest::get(&location).await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().as_ref(), PNG);
    let other = Desk::open().await;
    assert_eq!(read(&other, &other.org.slug, &format!("/help/images/{id}")).await.status(), 404);
    assert_eq!(read(&desk, &desk.org.slug, &format!("/help/images/{}", uuid::Uuid::new_v4())).await.status(), 404);
    assert_eq!(read(&desk, &desk.org.slug, "/help/images/not-an-id").await.status(), 404);

    // Articles show it; the sanitiser keeps the help center's own image addresses alone.
    let article = desk
        .post(
            &agent,
            "/v1/kb/articles",
            &json!({ "title": "Reading the label", "locale": "en", "status": "published",
                     "body": format!("![The label](/help/images/{id})\n\n![Elsewhere](https://example.com/x.png)") }),
        )
        .await;
    assert_eq!(article.status, 201, "{}", article.body);
    let html = article.json()["body_html"].as_str().unwrap().to_owned();
    assert!(html.contains(&format!("<img src=\"/help/images/{id}\" alt=\"The label\"")), "{html}");
    assert!(!html.contains("example.com"), "{html}");

    // Staff list them; customers and nobody do not.
    let listed = desk.get(&agent, "/v1/kb/images").await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let ids: Vec<Value> = listed.json()["data"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    assert_eq!(ids, [second["id"].clone(), first["id"].clone()], "newest first");
    desk.get(&customer, "/v1/kb/images").await.assert_problem(403, "forbidden");

    // The orphan cleanup knows image objects by their rows.
    let state = &desk.app.state;
    let report = app_api::worker::orphans::all_tenants(state, Duration::ZERO, true).await.unwrap();
    assert_eq!((report.objects_without_row, report.rows_without_object), (0, 0), "{report:?}");

    // Admins delete; the object stays while another image holds its content.
    desk.delete(&agent, &format!("/v1/kb/images/{id}")).await.assert_problem(403, "forbidden");
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/kb/images/{id}")).await.status, 204);
    desk.delete(&desk.owner, &format!("/v1/kb/images/{id}")).await.assert_problem(404, "not_found");
    assert_eq!(read(&desk, &desk.org.slug, &format!("/help/images/{id}")).await.status(), 404);
    assert_eq!(bucket.keys().await.len(), 1);
    let last = second["id"].as_str().unwrap();
    assert_eq!(desk.delete(&desk.owner, &format!("/v1/kb/images/{last}")).await.status, 204);
    assert!(bucket.keys().await.is_empty());
    assert_eq!(used().await, 0);
}

#[tokio::test]
async fn image_uploads_refuse_what_is_not_a_clean_image_from_staff_and_store_nothing() {
    let bucket = Bucket::new();
    let quota = u64::try_from(PNG.len()).unwrap() + 10;
    let desk = desk_on_s3(&bucket, |c| c.attachments.quota_bytes = quota).await;
    let customer = desk.member("customer").await;
    let agent = desk.member("agent").await;

    upload(&desk, None, "a.png", PNG).await.assert_problem(401, "unauthorized");
    upload(&desk, Some(&customer), "a.png", PNG).await.assert_problem(403, "forbidden");
    upload(&desk, Some(&agent), "manual.pdf", PDF).await.assert_problem(415, "unsupported_media_type");
    upload(&desk, Some(&agent), "page.svg", b"<svg onload='alert(1)'/>")
        .await
        .assert_problem(415, "unsupported_media_type");
    upload(&desk, Some(&agent), "photo.jpg", PNG).await.assert_problem(415, "media_type_mismatch");
    upload(&desk, Some(&agent), "photo.png", PDF).await.assert_problem(415, "media_type_mismatch");
    let with_field = form(&[
        Part { name: "file", file_name: Some("a.png"), content: PNG },
        Part { name: "is_internal", file_name: None, content: b"true" },
    ]);
    post_form(&desk, Some(&agent), with_field).await.assert_problem(422, "validation_failed");
    let unknown = form(&[
        Part { name: "file", file_name: Some("a.png"), content: PNG },
        Part { name: "caption", file_name: None, content: b"x" },
    ]);
    assert_eq!(post_form(&desk, Some(&agent), unknown).await.status, 400);
    // Over 5 MiB, declared or sent.
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    upload(&desk, Some(&agent), "big.png", &big).await.assert_problem(413, "file_too_large");
    // Over the organisation's storage.
    let mut larger = PNG.to_vec();
    larger.resize(PNG.len() + 11, 0);
    uploaded(&desk, &agent, "fits.png", PNG).await;
    upload(&desk, Some(&agent), "larger.png", &larger).await.assert_problem(413, "storage_quota_exceeded");
    assert_eq!(desk.db.count("help_images").await, 1);
    assert_eq!(bucket.keys().await.len(), 1);
}

#[tokio::test]
async fn image_uploads_are_scanned_and_refused_while_the_scanner_is_away() {
    let bucket = Bucket::new();
    // Configured, but nothing listens there: uploads fail closed.
    let desk = desk_on_s3(&bucket, |c| c.attachments.clamav_addr = Some("127.0.0.1:9".to_owned())).await;
    let problem = upload(&desk, Some(&desk.owner), "a.png", PNG).await.assert_problem(503, "dependency_unavailable");
    assert_eq!(problem["dependency"], "clamav");
    assert_eq!(desk.db.count("help_images").await, 0);
    assert!(bucket.keys().await.is_empty());
}
