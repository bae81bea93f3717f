//! Attachments (issue 15) through an app-api replica in this process, on the S3 server the
//! tests use (`TEST_S3_ENDPOINT`, s3s-fs), in a bucket of the run's own:
//!
//! 1. Upload throughput of 1 MiB and 10 MiB files at 1 and 8 clients, against a direct PUT of
//!    the same bytes to the same server with the same S3 client at the same concurrency.
//! 2. The process's resident memory during 8 concurrent 20 MiB uploads, above where it stood
//!    before (sampled every 5 ms); the bodies are generated as they are sent, so what grows is
//!    the server's.

use std::time::{Duration, Instant};

use app_api::config::{BlobStoreConfig, S3Config};
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use futures_util::StreamExt as _;

use crate::platform::Platform;

const BOUNDARY: &str = "helpdeskly-bench-boundary";
const MIB: usize = 1024 * 1024;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn s3_client(endpoint: &str, key: &str, secret: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(key, secret, None, None, "bench"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .http_client(app_api::attachments::s3::http_client())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A PDF of `size` bytes, distinct for every `seed`.
fn document(size: usize, seed: u64) -> Vec<u8> {
    let mut content = format!("%PDF-1.4\n% {seed}\n").into_bytes();
    let fill = b"0123456789abcdefghijklmnopqrstuvwxyz";
    while content.len() < size {
        content.extend_from_slice(fill);
    }
    content.truncate(size);
    content
}

fn form(name: &str, content: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

#[allow(clippy::cast_precision_loss, reason = "rates shown in MiB/s")]
fn mib_per_s(bytes: usize, elapsed: Duration) -> f64 {
    bytes as f64 / MIB as f64 / elapsed.as_secs_f64()
}

/// Where uploads go: the replica, the tenant and its owner's token.
struct Target<'a> {
    client: reqwest::Client,
    server: &'a harness::TestServer,
    slug: String,
    token: String,
}

impl Target<'_> {
    async fn new_ticket(&self) -> String {
        let answer = self
            .client
            .post(self.server.url("/v1/tickets"))
            .header("x-tenant-slug", &self.slug)
            .bearer_auth(&self.token)
            .json(&serde_json::json!({ "subject": "Benchmark", "description": "uploads" }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201);
        let id = answer.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        self.server.url(&format!("/v1/tickets/{id}/attachments"))
    }

    async fn upload(&self, url: &str, body: reqwest::Body) {
        let answer = self
            .client
            .post(url)
            .header("x-tenant-slug", &self.slug)
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .bearer_auth(&self.token)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201, "{}", answer.text().await.unwrap_or_default());
    }
}

pub async fn run(files_per_client: usize) {
    let platform = Platform::start_logging_at("error").await;
    let (slug, token) = platform.tenants_with_tokens(1).await.remove(0);
    let (endpoint, key, secret) = (
        env_or("TEST_S3_ENDPOINT", "http://127.0.0.1:9000"),
        env_or("TEST_S3_ACCESS_KEY", "helpdeskly-test"),
        env_or("TEST_S3_SECRET_KEY", "helpdeskly-test-secret"),
    );
    let bucket = format!("hd-bench-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let replica = crate::app::replica_with(&platform, 20, 5, |c| {
        c.attachments.store = BlobStoreConfig::S3(S3Config {
            endpoint: Some(endpoint.clone()),
            public_endpoint: None,
            bucket: bucket.clone(),
            region: "us-east-1".to_owned(),
            force_path_style: true,
            access_key_id: key.clone(),
            secret_access_key: secret.clone().into(),
        });
        c.attachments.concurrency = 64;
    })
    .await;
    let s3 = s3_client(&endpoint, &key, &secret);
    let target = Target { client: reqwest::Client::new(), server: &replica.server, slug, token };
    let outcome = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(async {
        // Memory first, before the throughput runs have grown the allocator's free lists.
        memory_under_big_uploads(&target).await;
        let mut seed = 0u64;
        for size in [MIB, 10 * MIB] {
            for clients in [1usize, 8] {
                throughput(&target, &s3, &bucket, size, clients, files_per_client, &mut seed).await;
            }
        }
    }))
    .await;
    // Whatever happened: the bucket goes.
    if let Ok(listed) = s3.list_objects_v2().bucket(&bucket).send().await {
        for key in listed.contents().iter().filter_map(|o| o.key()) {
            let _ = s3.delete_object().bucket(&bucket).key(key).send().await;
        }
    }
    let _ = s3.delete_bucket().bucket(&bucket).send().await;
    drop(replica);
    platform.finish().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// `clients` uploading `files` distinct files of `size` each through app-api, then putting the
/// same bytes straight into the bucket with the same S3 client.
async fn throughput(
    target: &Target<'_>,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    size: usize,
    clients: usize,
    files: usize,
    seed: &mut u64,
) {
    // A ticket per measurement keeps each under the files-per-ticket limit.
    let url = target.new_ticket().await;
    let contents: Vec<Vec<Vec<u8>>> = (0..clients)
        .map(|_| {
            (0..files)
                .map(|_| {
                    *seed += 1;
                    document(size, *seed)
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    futures_util::future::join_all(contents.iter().map(|mine| async {
        for (i, content) in mine.iter().enumerate() {
            target.upload(&url, form(&format!("f{i}.pdf"), content).into()).await;
        }
    }))
    .await;
    let through_api = started.elapsed();
    let started = Instant::now();
    futures_util::future::join_all(contents.iter().enumerate().map(|(c, mine)| async move {
        for (i, content) in mine.iter().enumerate() {
            s3.put_object()
                .bucket(bucket)
                .key(format!("direct/{size}/{clients}/{c}/{i}"))
                .content_type("application/pdf")
                .body(ByteStream::from(content.clone()))
                .send()
                .await
                .unwrap();
        }
    }))
    .await;
    let direct = started.elapsed();
    let bytes = size * clients * files;
    let (api_rate, direct_rate) = (mib_per_s(bytes, through_api), mib_per_s(bytes, direct));
    println!(
        "{} MiB files, {clients} clients x {files}: through app-api {api_rate:.1} MiB/s, direct PUT {direct_rate:.1} MiB/s, \
         ratio {:.2}",
        size / MIB,
        api_rate / direct_rate
    );
}

/// Resident memory during 8 concurrent 20 MiB uploads, their bodies generated as they are sent.
async fn memory_under_big_uploads(target: &Target<'_>) {
    let url = target.new_ticket().await;
    let memory = crate::stats::PeakMemory::start();
    let started = Instant::now();
    futures_util::future::join_all((0..8u8).map(|n| {
        let head =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big{n}.zip\"\r\n\r\n");
        let tail = format!("\r\n--{BOUNDARY}--\r\n");
        let chunks = 20 * 16;
        let body = futures_util::stream::iter(0..chunks + 2).map(move |i| {
            let chunk = if i == 0 {
                head.clone().into_bytes()
            } else if i == chunks + 1 {
                tail.clone().into_bytes()
            } else {
                let mut chunk = vec![n.wrapping_add(u8::try_from(i % 200).unwrap_or(0)); 64 * 1024];
                if i == 1 {
                    chunk[..4].copy_from_slice(b"PK\x03\x04");
                }
                chunk
            };
            Ok::<_, std::io::Error>(chunk)
        });
        let url = &url;
        async move { target.upload(url, reqwest::Body::wrap_stream(body)).await }
    }))
    .await;
    let elapsed = started.elapsed();
    let (baseline, grown) = memory.stop();
    println!(
        "8 concurrent 20 MiB uploads: {:.2} s, {:.1} MiB/s; resident memory {} MiB before, peak {:.1} MiB above it",
        elapsed.as_secs_f64(),
        mib_per_s(8 * 20 * MIB, elapsed),
        baseline / 1024,
        f64::from(u32::try_from(grown).unwrap_or(u32::MAX)) / 1024.0,
    );
}
