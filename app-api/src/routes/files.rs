//! `GET /v1/files/{token}`: the downloads of the local-disk blob store, through the links
//! app-api signs. The link is the permission (as a presigned S3 URL is): no token, no tenant.
//! Every file is served as a download, with its stored type, never sniffed.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use shared::error::ApiError;
use shared::signed::Refused;

use crate::attachments::Attachments;
use crate::attachments::blob::content_disposition;

/// Download a file through a local link.
#[utoipa::path(get, path = "/v1/files/{token}", tag = "attachments", params(("token" = String, Path)),
    responses(
        (status = 200, description = "The file, as a download, with the media type it was stored with", content_type = "*/*"),
        (status = 403, description = "`forbidden`: the link expired or was not signed here"),
        (status = 404, description = "`not_found`: the file is gone, or the store is S3"),
    ))]
pub async fn get_file(State(files): State<Arc<Attachments>>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let Some(disk) = files.disk.as_ref() else {
        return Err(ApiError::not_found("files are served by the S3 store here"));
    };
    let signed = disk.open_link(&token, Utc::now()).map_err(|err| match err {
        Refused::Expired => ApiError::forbidden("this link has expired: ask for a new one"),
        Refused::Invalid => ApiError::forbidden("this is not a valid link"),
    })?;
    let file = match tokio::fs::File::open(&signed.path).await {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::not_found("the file is no longer stored"));
        }
        Err(err) => return Err(ApiError::internal(err.to_string())),
    };
    let length = file.metadata().await.map_err(|e| ApiError::internal(e.to_string()))?.len();
    let header = |value: &str| HeaderValue::from_str(value).map_err(|e| ApiError::internal(e.to_string()));
    let mut response = Body::from_stream(chunks_of(file)).into_response();
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, header(&signed.content_type)?);
    headers.insert(header::CONTENT_DISPOSITION, header(&content_disposition(&signed.file_name))?);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// The file as a stream of chunks; an error ends it.
fn chunks_of(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send + 'static {
    futures_util::stream::unfold(Some((file, vec![0u8; 64 * 1024])), |state| async move {
        use tokio::io::AsyncReadExt as _;
        let (mut file, mut buffer) = state?;
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => Some((Ok(bytes::Bytes::copy_from_slice(&buffer[..n])), Some((file, buffer)))),
            Err(err) => Some((Err(err), None)),
        }
    })
}
