//! The S3 backend (AWS or any S3-compatible server such as MinIO): objects in one bucket, links
//! presigned with SigV4 that carry the download's name and type.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation, retry::RetryConfig,
    timeout::TimeoutConfig,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_http_client::tls;
use chrono::{DateTime, Utc};
use shared::config::ExposeSecret as _;

use super::blob::{BlobError, BlobStore, Link, ListPage, Presentation, StoredObject};
use crate::config::S3Config;

pub struct S3Store {
    client: Client,
    /// Signs download links for `S3_PUBLIC_ENDPOINT` (the same client without one): signing
    /// needs no connection, and SigV4 signs the host the browser will name.
    signer: Client,
    bucket: String,
    region: String,
}

impl S3Store {
    pub fn new(config: &S3Config) -> Self {
        let client = Self::client(config, config.endpoint.as_deref());
        let signer = match &config.public_endpoint {
            Some(public) => Self::client(config, Some(public)),
            None => client.clone(),
        };
        Self { client, signer, bucket: config.bucket.clone(), region: config.region.clone() }
    }

    fn client(config: &S3Config, endpoint: Option<&str>) -> Client {
        let credentials = Credentials::new(
            config.access_key_id.clone(),
            config.secret_access_key.expose_secret().to_owned(),
            None,
            None,
            "environment",
        );
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .credentials_provider(credentials)
            .force_path_style(config.force_path_style)
            .http_client(http_client())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .operation_timeout(super::blob::CALL_TIMEOUT)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            // Checksums only where S3 requires them: MinIO and other S3 servers do not all know
            // the newer checksum headers.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if let Some(endpoint) = endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        Client::from_conf(builder.build())
    }
}

/// The HTTP client of S3 calls: rustls with ring, like every TLS client of the platform.
pub fn http_client() -> aws_sdk_s3::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

/// Sorts an SDK error into the store's errors: no answer, a refusal, a missing object.
fn classify<E>(err: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> BlobError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(err).to_string();
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => BlobError::Unreachable(detail),
        SdkError::ServiceError(service) => match (service.raw().status().as_u16(), err.code()) {
            (404, Some("NoSuchBucket")) => BlobError::Refused(detail),
            (404, _) | (_, Some("NoSuchKey" | "NotFound")) => BlobError::Missing,
            (401 | 403, _) => BlobError::Refused(detail),
            _ => BlobError::Failed(detail),
        },
        _ => BlobError::Failed(detail),
    }
}

fn to_chrono(at: Option<&aws_sdk_s3::primitives::DateTime>) -> DateTime<Utc> {
    at.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos())).unwrap_or_else(Utc::now)
}

#[async_trait]
impl BlobStore for S3Store {
    fn kind(&self) -> &'static str {
        "s3"
    }

    async fn prepare(&self) -> Result<(), BlobError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => return Ok(()),
            Err(err) => match classify(&err) {
                // HeadBucket has no body: a missing bucket is a bare 404.
                BlobError::Missing => {}
                BlobError::Refused(_) if err.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {}
                other => return Err(other),
            },
        }
        let mut create = self.client.create_bucket().bucket(&self.bucket);
        if self.region != "us-east-1" {
            let location = aws_sdk_s3::types::BucketLocationConstraint::from(self.region.as_str());
            create = create.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder().location_constraint(location).build(),
            );
        }
        match create.send().await {
            Ok(_) => Ok(()),
            // Another replica made it first.
            Err(err) if matches!(err.code(), Some("BucketAlreadyOwnedByYou" | "BucketAlreadyExists")) => Ok(()),
            Err(err) => Err(classify(&err)),
        }
    }

    async fn check(&self) -> Result<(), BlobError> {
        self.client.head_bucket().bucket(&self.bucket).send().await.map(drop).map_err(|err| match classify(&err) {
            BlobError::Missing => BlobError::Refused("the bucket does not exist".into()),
            other => other,
        })
    }

    async fn put_file(&self, key: &str, path: &Path, size: u64, content_type: &str) -> Result<(), BlobError> {
        let body = ByteStream::from_path(path).await.map_err(|e| BlobError::Failed(e.to_string()))?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(i64::try_from(size).map_err(|e| BlobError::Failed(e.to_string()))?)
            .body(body)
            .send()
            .await
            .map(drop)
            .map_err(|err| classify(&err))
    }

    async fn delete(&self, keys: &[String]) -> Result<(), BlobError> {
        // One DeleteObject a key: every S3 server takes it without the checksum headers a
        // batch needs, and a missing key is no error.
        for key in keys {
            self.client.delete_object().bucket(&self.bucket).key(key).send().await.map_err(|err| classify(&err))?;
        }
        Ok(())
    }

    async fn list(&self, prefix: &str, after: Option<&str>) -> Result<ListPage, BlobError> {
        let mut request = self.client.list_objects_v2().bucket(&self.bucket).prefix(prefix).max_keys(1000);
        if let Some(after) = after {
            request = request.start_after(after);
        }
        let page = request.send().await.map_err(|err| classify(&err))?;
        let objects: Vec<StoredObject> = page
            .contents()
            .iter()
            .filter_map(|o| {
                Some(StoredObject {
                    key: o.key()?.to_owned(),
                    size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    modified: to_chrono(o.last_modified()),
                })
            })
            .collect();
        let next = if page.is_truncated() == Some(true) { objects.last().map(|o| o.key.clone()) } else { None };
        Ok(ListPage { objects, next })
    }

    async fn exists(&self, key: &str) -> Result<bool, BlobError> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(_) => Ok(true),
            Err(err) => match classify(&err) {
                BlobError::Missing => Ok(false),
                other => Err(other),
            },
        }
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        let object = self.client.get_object().bucket(&self.bucket).key(key).send().await.map_err(|e| classify(&e))?;
        let body = object.body.collect().await.map_err(|e| BlobError::Failed(e.to_string()))?;
        Ok(body.into_bytes().to_vec())
    }

    async fn link(&self, key: &str, presentation: Presentation<'_>, ttl: Duration) -> Result<Link, BlobError> {
        let config = PresigningConfig::expires_in(ttl).map_err(|e| BlobError::Failed(e.to_string()))?;
        let expires_at = Utc::now() + ttl;
        let presigned = self
            .signer
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(super::blob::content_disposition(presentation.file_name))
            .response_content_type(presentation.content_type)
            .presigned(config)
            .await
            .map_err(|err| classify(&err))?;
        Ok(Link { url: presigned.uri().to_owned(), expires_at })
    }
}
