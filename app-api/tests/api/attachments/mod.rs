//! Attachments end to end: a real S3 server that checks request signatures (s3s-fs, started by
//! scripts/test.sh) with a bucket of each test's own, and the local-disk store in a temporary
//! folder; clamd with the EICAR test signature. Each test's bucket is emptied and removed when
//! it ends, whatever happened.

mod pace;
mod refusals;
mod sharing;
mod stores;
mod upkeep;

use app_api::AppConfig;
use app_api::config::{BlobStoreConfig, S3Config};
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use harness::TestResponse;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::Person;
use crate::tickets::Desk;

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\nIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";
pub const PDF: &[u8] =
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

pub fn s3_endpoint() -> String {
    env_or("TEST_S3_ENDPOINT", "http://127.0.0.1:9000")
}

pub fn s3_keys() -> (String, String) {
    (env_or("TEST_S3_ACCESS_KEY", "helpdeskly-test"), env_or("TEST_S3_SECRET_KEY", "helpdeskly-test-secret"))
}

pub fn clamav_addr() -> String {
    env_or("TEST_CLAMAV_ADDR", "127.0.0.1:3310")
}

/// A client of the test S3 server, as an operator would look at it.
pub fn s3_client() -> aws_sdk_s3::Client {
    let (key, secret) = s3_keys();
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(key, secret, None, None, "tests"))
        .endpoint_url(s3_endpoint())
        .force_path_style(true)
        .http_client(app_api::attachments::s3::http_client())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A bucket name of the test's own; emptied and removed on drop.
pub struct Bucket {
    pub name: String,
}

impl Bucket {
    pub fn new() -> Self {
        Self { name: format!("hd-test-{}", &uuid::Uuid::new_v4().simple().to_string()[..16]) }
    }

    /// A replica's store: this bucket on the test server.
    pub fn configure(&self, config: &mut AppConfig) {
        let (key, secret) = s3_keys();
        config.attachments.store = BlobStoreConfig::S3(S3Config {
            endpoint: Some(s3_endpoint()),
            public_endpoint: None,
            bucket: self.name.clone(),
            region: "us-east-1".to_owned(),
            force_path_style: true,
            access_key_id: key,
            secret_access_key: secret.into(),
        });
    }

    /// Every key in the bucket.
    pub async fn keys(&self) -> Vec<String> {
        let listed = s3_client().list_objects_v2().bucket(&self.name).send().await.expect("list the bucket");
        listed.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
    }
}

impl Drop for Bucket {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let client = s3_client();
                if let Ok(listed) = client.list_objects_v2().bucket(&name).send().await {
                    for key in listed.contents().iter().filter_map(|o| o.key()) {
                        let _ = client.delete_object().bucket(&name).key(key).send().await;
                    }
                }
                let _ = client.delete_bucket().bucket(&name).send().await;
            });
        })
        .join();
    }
}

/// A desk whose files go to a bucket of its own on the test S3 server.
pub async fn desk_on_s3(bucket: &Bucket, configure: impl FnOnce(&mut AppConfig)) -> Desk {
    Desk::open_with(|c| {
        bucket.configure(c);
        configure(c);
    })
    .await
}

/// One part of a multipart form.
pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content: &'a [u8],
}

pub const BOUNDARY: &str = "helpdeskly-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body of `parts`.
pub fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part.file_name {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                    part.name
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", part.name).as_bytes(),
            ),
        }
        body.extend_from_slice(part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// `POST /v1/tickets/{ticket}/attachments` with `body` as the form.
pub async fn post_form(desk: &Desk, who: &Person, ticket: i64, body: impl Into<reqwest::Body>) -> TestResponse {
    let request = desk
        .app
        .server
        .request(Method::POST, &format!("/v1/tickets/{ticket}/attachments"))
        .header("x-tenant-slug", &desk.org.slug)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .bearer_auth(&who.token)
        .body(body);
    TestResponse::from(request.send().await.expect("request sent")).await
}

/// Uploads `content` as `file_name` (with any extra text fields).
pub async fn upload(
    desk: &Desk,
    who: &Person,
    ticket: i64,
    file_name: &str,
    content: &[u8],
    fields: &[(&str, &str)],
) -> TestResponse {
    let mut parts = vec![Part { name: "file", file_name: Some(file_name), content }];
    parts.extend(fields.iter().map(|(name, value)| Part { name, file_name: None, content: value.as_bytes() }));
    post_form(desk, who, ticket, form(&parts)).await
}

/// Uploads, which must succeed; the attachment with its link.
pub async fn uploaded(desk: &Desk, who: &Person, ticket: i64, file_name: &str, content: &[u8]) -> Value {
    let response = upload(desk, who, ticket, file_name, content, &[]).await;
    assert_eq!(response.status, 201, "{} uploads {file_name}: {}", who.role, response.body);
    response.json()
}

/// Downloads a link (a local one on `desk`'s replica).
pub async fn download(desk: &Desk, url: &str) -> reqwest::Response {
    let url = if url.starts_with('/') { desk.app.server.url(url) } else { url.to_owned() };
    reqwest::Client::new().get(url).send().await.expect("download")
}

/// A ticket of `customer`.
pub async fn ticket_of(desk: &Desk, customer: &Person) -> i64 {
    let created =
        desk.create(customer, serde_json::json!({"subject": "Broken parcel", "description": "See the photo."})).await;
    created["id"].as_i64().unwrap()
}
