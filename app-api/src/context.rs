//! The tenant-plane middleware: which tenant (resolution, before any token work), who (the
//! bearer token, which must be for that tenant, or one of the tenant's API keys, which must hold
//! the route's scope), how often (rate limits), then the request runs with a `TenantContext` and
//! can take connections to that tenant's database alone (`crate::access`).

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::auth::{Claims, Role};
use shared::error::ApiError;
use shared::http::ClientIp;
use shared::ratelimit::Decision;
use uuid::Uuid;

use crate::integrations::keys;
use crate::live::Live;
use crate::live::versions::Revalidation;
use crate::state::AppState;
use crate::tenancy::resolve::Tenant;
use sav::ids::UserId;

/// The tenant and the caller of a tenant-plane request. What the caller may do is read from the
/// tenant's users mirror when it matters (`tickets::access::Viewer`), never from the token's
/// role, which may be minutes old.
#[derive(Debug, Clone)]
pub struct TenantContext {
    pub tenant: Arc<Tenant>,
    pub user_id: UserId,
    /// The token's session (its refresh family), and when the token expires (Unix seconds):
    /// what a long-lived answer (the live stream) must end with.
    pub session: Uuid,
    pub expires: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for TenantContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<TenantContext>()
            .cloned()
            .ok_or_else(|| ApiError::internal("a tenant-plane handler is mounted outside the tenant middleware"))
    }
}

/// A help center request of nobody on the organisation's host (`visitor_context` resolved the
/// tenant alone; a signed-in reader's request carries a `TenantContext` instead).
#[derive(Debug, Clone)]
pub struct AnonymousVisit {
    pub tenant: Arc<Tenant>,
}

fn bearer(parts: &axum::http::HeaderMap) -> Option<&str> {
    let value = parts.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim).filter(|t| !t.is_empty())
}

/// Adds `RateLimit-*` headers (and `Retry-After` on refusal).
fn with_rate_headers(mut response: Response, decision: &Decision) -> Response {
    let headers = response.headers_mut();
    headers.insert("ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert("ratelimit-remaining", HeaderValue::from(decision.remaining));
    headers.insert("ratelimit-reset", HeaderValue::from(decision.reset_secs));
    if !decision.allowed {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(decision.retry_after_secs.max(1)));
    }
    response
}

/// 429 for the budget `limit` (one of `infra::LIMITS`), counted.
fn rate_limited(state: &AppState, limit: &'static str, decision: &Decision) -> Response {
    state.gate.refused.with_label_values(&[limit]).inc();
    let error = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many requests; retry later");
    with_rate_headers(error.into_response(), decision)
}

/// Checks the client IP's budget for traffic that is not (validly) authenticated.
async fn ip_check(state: &AppState, ip: Option<std::net::IpAddr>) -> Option<Decision> {
    state.gate.limiter.check_ip(ip?).await
}

pub async fn tenant_context(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match authorize(&state, &mut request).await {
        Ok(decision) => {
            let writes = !matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD);
            let tenant = request.extensions().get::<TenantContext>().map(|c| c.tenant.id);
            let response = next.run(request).await;
            // A write's change shows in the next revalidation, on every replica.
            if let Some(tenant) = tenant.filter(|_| writes && response.status().is_success()) {
                state.live.versions.bump(tenant).await;
            }
            match decision {
                Some(decision) => with_rate_headers(response, &decision),
                None => response,
            }
        }
        Err(response) => response,
    }
}

/// The help center's middleware: a request with a bearer token goes through `tenant_context`
/// (the same checks, the same limits); one without is nobody on the tenant's host, within the
/// address's budget for unauthenticated traffic (`AnonymousVisit`).
pub async fn visitor_context(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if request.headers().contains_key(header::AUTHORIZATION) {
        return tenant_context(State(state), request, next).await;
    }
    let ip = request.extensions().get::<ClientIp>().map(|c| c.0);
    let decision = ip_check(&state, ip).await;
    if let Some(decision) = decision.as_ref().filter(|d| !d.allowed) {
        return rate_limited(&state, "ip", decision);
    }
    let slug = match state.tenancy.resolver.slug_of(request.headers()) {
        Ok(slug) => slug,
        Err(err) => return err.into_response(),
    };
    let tenant = match state.tenancy.resolver.resolve(&slug).await {
        Ok(tenant) => tenant,
        Err(err) => return err.into_response(),
    };
    tracing::Span::current().record("tenant", tracing::field::display(tenant.id));
    request.extensions_mut().insert(AnonymousVisit { tenant });
    let response = next.run(request).await;
    match decision {
        Some(decision) => with_rate_headers(response, &decision),
        None => response,
    }
}

async fn authorize(state: &AppState, request: &mut Request) -> Result<Option<Decision>, Response> {
    let ip = request.extensions().get::<ClientIp>().map(|c| c.0);
    let slug = state.tenancy.resolver.slug_of(request.headers()).map_err(IntoResponse::into_response)?;
    let tenant = match state.tenancy.resolver.resolve(&slug).await {
        Ok(tenant) => tenant,
        Err(err) => {
            if let Some(decision) = ip_check(state, ip).await.filter(|d| !d.allowed) {
                return Err(rate_limited(state, "ip", &decision));
            }
            return Err(err.into_response());
        }
    };
    tracing::Span::current().record("tenant", tracing::field::display(tenant.id));

    if let Some(key) = bearer(request.headers()).filter(|t| t.starts_with(keys::PREFIX)) {
        let key = key.to_owned();
        return authorize_key(state, request, tenant, &key, ip).await;
    }
    let claims = match bearer(request.headers()) {
        Some(token) => state.gate.verifier.verify(token).await,
        None => Err(ApiError::unauthorized("this endpoint needs an Authorization: Bearer token")),
    };
    let claims: Claims = match claims {
        Ok(claims) => claims,
        Err(err) => {
            if let Some(decision) = ip_check(state, ip).await.filter(|d| !d.allowed) {
                return Err(rate_limited(state, "ip", &decision));
            }
            return Err(err.into_response());
        }
    };
    tracing::Span::current().record("user", tracing::field::display(claims.sub));
    if claims.tid != Some(tenant.id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "tenant_mismatch",
            "this token was issued for another tenant",
        )
        .into_response());
    }
    if tenant.require_2fa_for_admins && matches!(claims.role, Role::Owner | Role::Admin) && !claims.used_otp() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "mfa_required",
            "this organisation requires owners and admins to sign in with a second factor",
        )
        .into_response());
    }
    let revalidation = request.method() == axum::http::Method::GET
        && request.headers().contains_key(axum::http::header::IF_NONE_MATCH);
    let decision = state.gate.limiter.check_user(tenant.id, claims.sub, revalidation).await;
    if let Some(decision) = decision.as_ref().filter(|d| !d.allowed) {
        return Err(rate_limited(state, if revalidation { "revalidation" } else { "user" }, decision));
    }
    request.extensions_mut().insert(TenantContext {
        tenant,
        user_id: UserId(claims.sub),
        session: claims.sid,
        expires: claims.exp,
    });
    Ok(decision)
}

/// A request that carries an API key: the key must be this tenant's, valid, not revoked, not
/// expired, and hold the scope the route needs (`keys::scope_of`: every other route refuses
/// keys); it then runs as the key's integration, within the key's own rate limit.
async fn authorize_key(
    state: &AppState,
    request: &mut Request,
    tenant: Arc<Tenant>,
    text: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<Option<Decision>, Response> {
    let metrics = &state.integrations.metrics;
    let verified = if let Some(verified) = state.integrations.keys.remembered(tenant.id, text) {
        Ok(verified)
    } else {
        let mut conn = state.tenancy.pools.acquire(&tenant).await.map_err(IntoResponse::into_response)?;
        let verified = async {
            let mut tx = conn.begin().await?;
            let verified = state.integrations.keys.verify(&mut tx, tenant.id, text).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(verified)
        };
        verified.await.map_err(|e| ApiError::from(e).into_response())?
    };
    let verified = match verified {
        Ok(verified) if !state.gate.revoked.contains(verified.key) => verified,
        refused => {
            let expired = matches!(refused, Err(keys::Refusal::Expired));
            metrics.key_request(if expired { "expired" } else { "refused" });
            if let Some(decision) = ip_check(state, ip).await.filter(|d| !d.allowed) {
                return Err(rate_limited(state, "ip", &decision));
            }
            let detail = if expired { "this API key has expired" } else { "this API key is not valid here" };
            return Err(ApiError::unauthorized(detail).into_response());
        }
    };
    tracing::Span::current().record("user", tracing::field::display(verified.key));
    let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or_default();
    let scope = keys::scope_of(request.method(), route);
    if !scope.is_some_and(|scope| verified.allows(scope)) {
        metrics.key_request("out_of_scope");
        let detail = match scope {
            Some(scope) => format!("this API key lacks the {} scope", scope.as_str()),
            None => "API keys cannot call this endpoint: sign in as a person".to_owned(),
        };
        return Err(ApiError::new(StatusCode::FORBIDDEN, "insufficient_scope", detail).into_response());
    }
    let decision = match &state.integrations.key_limit {
        Some(limit) => Some(state.gate.limiter.check(limit, format!("key:{}:{}", tenant.id, verified.key)).await),
        None => None,
    };
    if let Some(decision) = decision.as_ref().filter(|d| !d.allowed) {
        return Err(rate_limited(state, "api_key", decision));
    }
    metrics.key_request("accepted");
    request.extensions_mut().insert(TenantContext {
        tenant,
        user_id: UserId(verified.key),
        session: verified.key,
        expires: verified.expires_at.map_or(i64::MAX, |at| at.timestamp()),
    });
    Ok(decision)
}

impl<S> FromRequestParts<S> for Revalidation
where
    Arc<Live>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = shared::error::ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let context = TenantContext::from_request_parts(parts, state).await?;
        let live = Arc::<Live>::from_ref(state);
        let uri = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), ToString::to_string);
        Ok(Self::check(live, context.tenant.id, context.user_id, &uri, &parts.headers).await)
    }
}
