//! `GET /v1/me/export` (anyone, about themselves) and `GET /v1/users/{id}/export` (admins):
//! everything this tenant holds about a person, as one JSON document (`sav::export` reads
//! it). The document is streamed: the head (profile, order references, audit entries) first,
//! then the tickets and the messages written elsewhere a page at a time, so a customer with
//! 10,000 tickets never sits whole in the server's memory. A failure mid-way cuts the response
//! (the client sees a truncated document, never a complete-looking wrong one).
//!
//! The control plane's half (identity, memberships, sessions) is `GET /v1/auth/me/export` on
//! control-api.

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::Utc;
use sav::export;
use sav::ids::{TicketId, UserId};
use sav::tickets::participants;
use serde_json::json;
use shared::error::{ApiError, ApiResult};
use sqlx::PgConnection;
use tokio::sync::mpsc;

use crate::access::{Access, Admins, Own};
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;

/// Tickets (or messages) read and sent per page.
const PAGE: i64 = 200;

type Chunk = Result<Bytes, std::io::Error>;

/// The caller's own data in this tenant.
#[utoipa::path(get, path = "/v1/me/export", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's data, as one JSON document (a download)", content_type = "application/json"),
        (status = 404, description = "`not_found`: the caller is not in this tenant"),
    ))]
pub async fn export_me(access: Access<Own>) -> ApiResult<Response> {
    let db = access.own().await?;
    stream_export(db, &access.tenant(), access.user_id()).await
}

/// A member's data in this tenant (admins), for the requests they handle for that person.
#[utoipa::path(get, path = "/v1/users/{id}/export", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The person's data, as one JSON document (a download)", content_type = "application/json"),
        Access<Admins>,
        (status = 404, description = "`not_found`: no such person in this tenant"),
    ))]
pub async fn export_user(access: Access<Admins>, Path(id): Path<UserId>) -> ApiResult<Response> {
    let (_, db) = access.connect().await?;
    stream_export(db, &access.tenant(), id).await
}

async fn stream_export(mut db: TenantConnection, tenant: &Tenant, person: UserId) -> ApiResult<Response> {
    let mut tx = db.begin().await?;
    let profile = export::profile(&mut tx, person)
        .await?
        .ok_or_else(|| ApiError::not_found("there is no such person in this tenant"))?;
    let orders = export::orders(&mut tx, person).await?;
    let audit = export::audit(&mut tx, person).await?;
    let ratings = export::ratings(&mut tx, person).await?;
    let participations = participants::of_person(&mut tx, person, &profile.member.email).await?;
    drop(tx);
    let head = json!({
        "format": "helpdeskly-export/1",
        "exported_at": Utc::now(),
        "tenant": { "id": tenant.id, "slug": tenant.slug },
        "profile": profile,
        "order_references": orders,
        "satisfaction_ratings": ratings,
        "participations": participations,
        "participations_limit": participants::EXPORTED_MAX,
        "audit": audit,
        "audit_limit": export::AUDIT_MAX,
    });
    // The head without its closing brace, then the lists the writer streams.
    let mut head = serde_json::to_vec(&head).expect("exports serialise");
    head.pop();
    head.extend_from_slice(br#","tickets":["#);
    let (sender, mut receiver) = mpsc::channel::<Chunk>(2);
    tokio::spawn(write_pages(db, person, head, sender));
    let chunks = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));
    let mut response = Response::new(Body::from_stream(chunks));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = format!("attachment; filename=\"helpdeskly-export-{}-{person}.json\"", tenant.slug);
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("a plain file name"));
    Ok(response)
}

/// Sends the head, then, in one snapshot under the reports' time limit, the tickets page by page,
/// the messages written on other tickets, and the end of the document; stops when the client
/// goes.
async fn write_pages(mut db: TenantConnection, person: UserId, head: Vec<u8>, out: mpsc::Sender<Chunk>) {
    let written = async {
        send(&out, head).await?;
        let mut tx = db.begin_report().await.map_err(Stop::Database)?;
        write_list(&mut tx, person, List::Tickets, &out).await?;
        send(&out, br#"],"messages_written":["#.to_vec()).await?;
        write_list(&mut tx, person, List::Written, &out).await?;
        send(&out, b"]}".to_vec()).await
    };
    if let Err(Stop::Database(err)) = written.await {
        tracing::warn!(error = %err, "data export cut short");
        let _ = out.send(Err(std::io::Error::other("the export could not be completed"))).await;
    }
}

/// The lists of the document that are read page by page.
#[derive(Clone, Copy)]
enum List {
    Tickets,
    Written,
}

/// Sends the members of one list, a page at a time (keyset on the id).
async fn write_list(db: &mut PgConnection, person: UserId, list: List, out: &mpsc::Sender<Chunk>) -> Result<(), Stop> {
    let (mut after, mut first) = (0, true);
    loop {
        let (chunk, page_end, count) = match list {
            List::Tickets => {
                let page = export::tickets_page(db, person, TicketId(after), PAGE).await.map_err(Stop::Database)?;
                (items(&page, &mut first), page.last().map(|t| t.id.0), page.len())
            }
            List::Written => {
                let page = export::written_page(db, person, after, PAGE).await.map_err(Stop::Database)?;
                (items(&page, &mut first), page.last().map(|m| m.id), page.len())
            }
        };
        let Some(end) = page_end else { return Ok(()) };
        after = end;
        send(out, chunk).await?;
        if i64::try_from(count).unwrap_or(i64::MAX) < PAGE {
            return Ok(());
        }
    }
}

enum Stop {
    /// The client went away.
    Gone,
    Database(sqlx::Error),
}

async fn send(out: &mpsc::Sender<Chunk>, bytes: Vec<u8>) -> Result<(), Stop> {
    out.send(Ok(Bytes::from(bytes))).await.map_err(|_| Stop::Gone)
}

/// `items` as JSON array members, each after a comma but the very first.
fn items<T: serde::Serialize>(items: &[T], first: &mut bool) -> Vec<u8> {
    let mut chunk = Vec::new();
    for item in items {
        if !std::mem::take(first) {
            chunk.push(b',');
        }
        serde_json::to_writer(&mut chunk, item).expect("exports serialise");
    }
    chunk
}
