//! The whole path on each store: upload, link, download with the right bytes and headers, the
//! link expiring, a fresh link, the access log, deletion; and a store that is away.

use std::time::Duration;

use harness::eventually;
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use app_api::config::{BlobStoreConfig, S3Config};

use super::{Bucket, PDF, PNG, desk_on_s3, download, ticket_of, uploaded};
use crate::tickets::Desk;

/// Downloads `url` and checks the bytes and the headers a browser acts on.
async fn downloads_as(desk: &Desk, url: &str, content: &[u8], content_type: &str, name_part: &str) {
    let response = download(desk, url).await;
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], content_type);
    let disposition = headers["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains(name_part), "{disposition}");
    assert_eq!(response.bytes().await.unwrap().as_ref(), content);
}

async fn the_whole_path(desk: &Desk, on_s3: Option<&Bucket>) {
    let customer = desk.member("customer").await;
    let ticket = ticket_of(desk, &customer).await;
    let file = uploaded(desk, &customer, ticket, "facture mars.pdf", PDF).await;
    assert_eq!(file["original_name"], "facture mars.pdf");
    assert_eq!(file["mime_type"], "application/pdf");
    assert_eq!(file["file_size"], PDF.len());
    let sha = hex::encode(Sha256::digest(PDF));
    assert_eq!(file["sha256"], sha);
    let id = file["id"].as_i64().unwrap();
    let expires: chrono::DateTime<chrono::Utc> = serde_json::from_value(file["url_expires_at"].clone()).unwrap();
    assert!(expires > chrono::Utc::now() && expires <= chrono::Utc::now() + chrono::Duration::seconds(3));

    // The object's key is the content's hash under the tenant and ticket, never the name.
    let tenant: uuid::Uuid = sqlx::query_scalar("SELECT id FROM tenants WHERE slug = $1")
        .bind(&desk.org.slug)
        .fetch_one(&desk.platform.control.db)
        .await
        .unwrap();
    let key = format!("tenants/{tenant}/tickets/{ticket}/{sha}.pdf");
    if let Some(bucket) = on_s3 {
        assert_eq!(bucket.keys().await, std::slice::from_ref(&key));
        assert!(file["url"].as_str().unwrap().starts_with(&super::s3_endpoint()));
    } else {
        assert!(file["url"].as_str().unwrap().starts_with("/v1/files/"), "local links are relative: {}", file["url"]);
    }
    downloads_as(desk, file["url"].as_str().unwrap(), PDF, "application/pdf", "filename*=UTF-8''facture%20mars.pdf")
        .await;

    // The link stops working when it expires; a fresh one works, and both were logged.
    let url = file["url"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(10), "the link expires", || {
        let url = url.clone();
        async move { (download(desk, &url).await.status() == 403).then_some(()) }
    })
    .await;
    let fresh = desk.get(&customer, &format!("/v1/attachments/{id}")).await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_ne!(fresh.json()["url"], file["url"]);
    downloads_as(desk, fresh.json()["url"].as_str().unwrap(), PDF, "application/pdf", "facture").await;
    let log = desk.get(&desk.owner, &format!("/v1/attachments/{id}/access-log")).await;
    assert_eq!(log.status, 200, "{}", log.body);
    let entries = log.json()["data"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 2, "{}", log.body);
    assert!(entries.iter().all(|e| e["user_id"] == customer.id.to_string() && e["ip"] == "127.0.0.1"));
    assert_eq!(desk.get(&customer, &format!("/v1/attachments/{id}/access-log")).await.status, 403);

    // Usage counts the object; deleting the row deletes the object.
    let usage = desk.get(&desk.owner, "/v1/storage/usage").await.json();
    assert_eq!(
        (usage["bytes_used"].as_u64(), usage["objects"].as_u64(), usage["attachments"].as_u64()),
        (Some(PDF.len() as u64), Some(1), Some(1))
    );
    let deleted =
        desk.app.send(Method::DELETE, &desk.org.slug, &format!("/v1/attachments/{id}"), &customer.token, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    assert_eq!(desk.get(&customer, &format!("/v1/attachments/{id}")).await.status, 404);
    if let Some(bucket) = on_s3 {
        assert!(bucket.keys().await.is_empty());
    }
    assert!(!desk.app.state.attachments.store.exists(&key).await.unwrap());
    let usage = desk.get(&desk.owner, "/v1/storage/usage").await.json();
    assert_eq!((usage["bytes_used"].as_u64(), usage["objects"].as_u64()), (Some(0), Some(0)));
    assert_eq!(desk.db.count("blob_deletions").await, 0);
}

#[tokio::test]
async fn on_s3_a_file_is_stored_linked_downloaded_and_deleted() {
    let bucket = Bucket::new();
    let desk = desk_on_s3(&bucket, |c| c.attachments.url_ttl = Duration::from_secs(2)).await;
    the_whole_path(&desk, Some(&bucket)).await;
}

#[tokio::test]
async fn on_the_local_disk_links_are_signed_and_served_by_app_api() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open_with(|c| {
        c.attachments.store = BlobStoreConfig::Disk { dir: dir.path().to_owned() };
        c.attachments.url_ttl = Duration::from_secs(2);
    })
    .await;
    the_whole_path(&desk, None).await;

    // A link altered in any way is refused, and serves nothing.
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    let file = uploaded(&desk, &customer, ticket, "photo.png", PNG).await;
    let url = file["url"].as_str().unwrap();
    let response = download(&desk, url).await;
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
    let token = url.strip_prefix("/v1/files/").unwrap();
    // The last character carries the MAC's last bits; the first, the expiry's first.
    let flip = |at: usize| {
        let mut flipped = token.to_owned().into_bytes();
        flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
        String::from_utf8(flipped).unwrap()
    };
    for forged in [flip(token.len() - 1), flip(0), format!("{token}x"), "nonsense".to_owned()] {
        let refused = download(&desk, &format!("/v1/files/{forged}")).await;
        assert_eq!(refused.status(), 403, "{forged}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "forbidden");
    }
}

#[tokio::test]
async fn a_store_that_is_away_or_refuses_the_keys_is_reported_and_uploads_wait_for_it() {
    // Nothing listens on this port: the service starts all the same.
    let unreachable = Desk::open_with(|c| {
        c.attachments.store = BlobStoreConfig::S3(S3Config {
            endpoint: Some("http://127.0.0.1:9".to_owned()),
            public_endpoint: None,
            bucket: "nowhere".to_owned(),
            region: "us-east-1".to_owned(),
            force_path_style: true,
            access_key_id: "x".to_owned(),
            secret_access_key: "y".into(),
        });
    })
    .await;
    let ready = unreachable.app.get(&unreachable.org.slug, "/ready", None).await.json();
    assert_eq!(ready["dependencies"]["blob_store"]["status"], "down", "{ready}");
    assert_eq!(ready["dependencies"]["blob_store"]["error"], "unreachable", "{ready}");
    assert_eq!(ready["status"], "degraded");
    let customer = unreachable.member("customer").await;
    let ticket = ticket_of(&unreachable, &customer).await;
    let refused = super::upload(&unreachable, &customer, ticket, "a.png", PNG, &[]).await;
    refused.assert_problem(503, "dependency_unavailable");
    assert_eq!(unreachable.db.count("ticket_attachments").await, 0);
    // Objects released meanwhile stay listed while the store cannot delete them.
    unreachable.db.execute("INSERT INTO blob_deletions (file_path) VALUES ('t/1/released.png')").await;
    let state = &unreachable.app.state;
    let tenant = state
        .tenancy
        .resolver
        .resolve(&shared::tenant::Slug::parse_syntax(&unreachable.org.slug).unwrap())
        .await
        .unwrap();
    let failed = state.attachments.delete_released(&state.tenancy.pools, &tenant).await.unwrap_err();
    assert_eq!((failed.status().as_u16(), failed.code()), (503, "dependency_unavailable"), "{failed}");
    // What the store said is the error's logged source.
    assert!(format!("{failed:?}").contains("could not delete released objects: "), "{failed:?}");
    assert_eq!(unreachable.db.count("blob_deletions").await, 1, "still listed");
    let metrics = state.metrics.render();
    assert!(metrics.contains(r#"work_queue_attempts_total{outcome="away",queue="blob_deletions"} 1"#), "{metrics}");
    drop(unreachable);

    // The server answers but not to these keys.
    let bucket = Bucket::new();
    let refused_keys = desk_on_s3(&bucket, |c| {
        if let BlobStoreConfig::S3(s3) = &mut c.attachments.store {
            s3.secret_access_key = "wrong-secret".into();
        }
    })
    .await;
    let ready = refused_keys.app.get(&refused_keys.org.slug, "/ready", None).await.json();
    assert_eq!(ready["dependencies"]["blob_store"]["status"], "down", "{ready}");
    assert!(ready["dependencies"]["blob_store"]["error"].as_str().unwrap().starts_with("refused"), "{ready}");

    // With the right keys the bucket is made at start and the store is up.
    let fine = desk_on_s3(&bucket, |_| {}).await;
    let ready = fine.app.get(&fine.org.slug, "/ready", None).await.json();
    assert_eq!(ready["dependencies"]["blob_store"]["status"], "up", "{ready}");
    assert_eq!(ready["dependencies"]["clamav"]["status"], "not_configured");
    assert!(bucket.keys().await.is_empty());
}

/// With `S3_PUBLIC_ENDPOINT`, links name the address browsers use, signed for that host: the
/// same object downloads through it, while the same signature on the service's own address is
/// refused (SigV4 signs the host).
#[tokio::test]
async fn links_are_signed_for_the_public_address_of_the_store() {
    let bucket = Bucket::new();
    let internal = super::s3_endpoint();
    let public = internal.replace("127.0.0.1", "localhost");
    assert_ne!(public, internal, "the test server is named by its IP address: {internal}");
    let desk = desk_on_s3(&bucket, |c| {
        if let BlobStoreConfig::S3(s3) = &mut c.attachments.store {
            s3.public_endpoint = Some(public.clone());
        }
    })
    .await;
    let customer = desk.member("customer").await;
    let ticket = ticket_of(&desk, &customer).await;
    let file = uploaded(&desk, &customer, ticket, "photo.png", PNG).await;
    let url = file["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{public}/{}/", bucket.name)), "{url}");
    downloads_as(&desk, url, PNG, "image/png", "photo.png").await;
    let on_internal = url.replacen(&public, &internal, 1);
    assert_eq!(download(&desk, &on_internal).await.status(), 403, "{on_internal}");
}
