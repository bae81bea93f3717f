//! Signing in with a tenant's OpenID Provider, and leaving with it:
//! `GET /v1/auth/sso/{slug}/start` sends the browser to the provider, `GET
//! /v1/auth/sso/callback` brings it back signed in (or to the sign-in page with the reason), and
//! `POST /v1/auth/sso/backchannel-logout` is the provider ending a person's sessions. Both
//! browser routes answer on the organisation's host, so their redirects into the web app are
//! relative.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, SameSite};
use serde::Deserialize;
use shared::auth::Role;
use shared::crypto::random_token;
use shared::error::{ApiError, ApiResult};
use shared::tenant::Slug;
use utoipa::{IntoParams, ToSchema};

use super::cookie::{SetRefreshCookie, request_cookie};
use super::open_session;
use crate::identity::audit::{self, Action};
use crate::identity::second_factor;
use crate::identity::sessions::Origin;
use crate::identity::sso::attempts::{self, NewAttempt};
use crate::identity::sso::mapping::{self, Mapped};
use crate::identity::sso::provider::{self, ClientSide, Failure, Vouched};
use crate::identity::sso::settings::{self, Settings};
use crate::state::AppState;
use crate::tenancy::sso_signin::{self as signin, Admitted, SignInError};
use crate::tenancy::tenants::{self, TenantRef};

/// The cookie that binds a sign-in to the browser that started it.
const BROWSER_COOKIE: &str = "helpdeskly_sso";
const COOKIE_PATH: &str = "/v1/auth/sso";
/// The longest `code` or `state` a provider sends back that is read.
const PARAM_MAX: usize = 2048;

/// The redirect URI of a tenant's settings: its host's callback.
fn redirect_uri(state: &AppState, slug: &str) -> Option<String> {
    settings::addresses(state.config.app_public_url.as_ref(), slug).map(|(redirect, _)| redirect)
}

/// Whether an organisation signs in with a provider, for its sign-in page.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SsoOffer {
    /// Whether it has single sign-on (its sign-in page shows the button).
    pub enabled: bool,
    /// Whether its staff must use it (a password login of staff answers `sso_required`).
    pub required_for_staff: bool,
}

/// Whether the organisation offers single sign-on (its sign-in page shows the button).
#[utoipa::path(get, path = "/v1/auth/sso/{slug}", tag = "auth", params(("slug" = String, Path)),
    responses(
        (status = 200, description = "Whether it does (`enabled: false` without single sign-on: its sign-in page loads \
            without a failed request)", body = SsoOffer),
        (status = 404, description = "`not_found`: no such active organisation"),
    ))]
pub async fn get_offer(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult<axum::Json<SsoOffer>> {
    let no_such = || ApiError::not_found("no such organisation");
    let slug = Slug::parse_syntax(&slug).map_err(|_| no_such())?;
    let mut conn = state.db.acquire().await?;
    let tenant = tenants::active_ref(&mut conn, slug.as_str()).await?.ok_or_else(no_such)?;
    let offer = match settings::of_tenant(&mut conn, tenant.id).await? {
        Some(settings) => SsoOffer { enabled: true, required_for_staff: settings.choices.required_for_staff },
        None => SsoOffer { enabled: false, required_for_staff: false },
    };
    Ok(axum::Json(offer))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartParams {
    /// `true`: the owner's test sign-in, which reports what the provider sent and how it mapped
    /// instead of signing in.
    #[serde(default)]
    pub trial: bool,
}

/// Start signing in with the organisation's provider.
#[utoipa::path(get, path = "/v1/auth/sso/{slug}/start", tag = "auth", params(("slug" = String, Path), StartParams),
    responses(
        (status = 302, description = "To the provider's authorization endpoint; or to `/login?sso_error=CODE` on the organisation's host when the provider cannot be reached"),
        (status = 404, description = "`not_found`: no such organisation, or it has no single sign-on"),
        (status = 429, description = "`rate_limited`: too many sign-ins under way"),
    ))]
pub async fn get_start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(params): Query<StartParams>,
) -> ApiResult<Response> {
    let slug = Slug::parse_syntax(&slug).map_err(|_| ApiError::not_found("no such organisation"))?;
    let not_set = || ApiError::not_found("this organisation has no single sign-on");
    let mut conn = state.db.acquire().await?;
    let tenant = tenants::active_ref(&mut conn, slug.as_str()).await?.ok_or_else(not_set)?;
    let settings = settings::of_tenant(&mut conn, tenant.id).await?.ok_or_else(not_set)?;
    drop(conn);
    let redirect = redirect_uri(&state, &tenant.slug).ok_or_else(not_set)?;
    let secret = settings
        .client_secret(&state.config.keys.sso_client_secrets)
        .ok_or_else(|| ApiError::internal("the single sign-on secret cannot be opened"))?;
    let side = client_side(&settings, secret, &redirect);
    let begun = match state.sso.begin(&side).await {
        Ok(begun) => begun,
        Err(failure) => return Ok(refused(failure.code(), &failure)),
    };
    let browser = random_token();
    let attempt = NewAttempt {
        tenant_id: tenant.id,
        state: &begun.state,
        browser: &browser,
        nonce: &begun.nonce,
        pkce_verifier: &begun.pkce_verifier,
        trial: params.trial,
    };
    if !attempts::keep(&mut *state.db.acquire().await?, &attempt).await? {
        return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "too many sign-ins under way"));
    }
    let cookie = Cookie::build((BROWSER_COOKIE, browser))
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(true)
        // The provider's redirect back is a top-level navigation from its site.
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(attempts::LIFETIME.num_seconds()))
        .build();
    let mut response = found(&begun.url);
    response.headers_mut().append(header::SET_COOKIE, header_value(&cookie.to_string()));
    Ok(response)
}

/// What the provider sends back to the callback.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The provider's refusal (`access_denied`, ...).
    pub error: Option<String>,
}

/// The provider's answer: sign the person in.
#[utoipa::path(get, path = "/v1/auth/sso/callback", tag = "auth", params(CallbackParams),
    responses(
        (status = 302, description = "To the web app (`/`) with the refresh cookie set; to `/login#mfa_token=...` when this person's second factor is still to be proven; to `/admin/sso#trial=...` for the owner's test sign-in; to `/login?sso_error=CODE` when refused (`sso_state_invalid`, `sso_provider_refused`, `sso_code_refused`, `sso_token_invalid`, `sso_no_email`, `sso_email_unverified`, `sso_domain_not_allowed`, `sso_not_a_member`, `sso_account_disabled`, `sso_no_access`, `sso_provider_unreachable`)"),
    ))]
pub async fn get_callback(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> ApiResult<Response> {
    let clear_cookie =
        Cookie::build((BROWSER_COOKIE, "")).path(COOKIE_PATH).max_age(cookie::time::Duration::ZERO).build();
    let mut response = callback(&state, &origin, &headers, params).await?;
    state.sso.metrics.signed_in(outcome_of(&response));
    response.headers_mut().append(header::SET_COOKIE, header_value(&clear_cookie.to_string()));
    Ok(response)
}

/// What a callback's answer says of the sign-in, for `sso_sign_ins_total`.
fn outcome_of(response: &Response) -> &'static str {
    let location = response.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default();
    if location == "/" {
        return "signed_in";
    }
    if location.starts_with("/login#mfa_token=") {
        return "second_factor";
    }
    if location.starts_with("/admin/sso#trial=") {
        return "trial";
    }
    let code = location.strip_prefix("/login?sso_error=").unwrap_or_default();
    provider::SIGN_IN_OUTCOMES.iter().copied().find(|known| *known == code).unwrap_or("sso_no_access")
}

async fn callback(
    state: &AppState,
    origin: &Origin,
    headers: &HeaderMap,
    params: CallbackParams,
) -> ApiResult<Response> {
    let bounded = |value: Option<String>| value.filter(|v| !v.is_empty() && v.len() <= PARAM_MAX);
    let Some(given_state) = bounded(params.state) else { return Ok(refused_plain("sso_state_invalid")) };
    let attempt = attempts::take(
        &mut *state.db.acquire().await?,
        &given_state,
        request_cookie(headers, BROWSER_COOKIE).as_deref(),
    )
    .await?;
    let Some(attempt) = attempt else { return Ok(refused_plain("sso_state_invalid")) };
    if params.error.is_some() {
        return Ok(refused_plain("sso_provider_refused"));
    }
    let Some(code) = bounded(params.code) else { return Ok(refused_plain("sso_code_refused")) };
    let (tenant, settings) = {
        let mut conn = state.db.acquire().await?;
        let tenant = tenants::tenant_ref(&mut conn, attempt.tenant_id).await?;
        let Some(settings) = settings::of_tenant(&mut conn, tenant.id).await? else {
            return Ok(refused_plain("sso_not_a_member"));
        };
        (tenant, settings)
    };
    let Some(redirect) = redirect_uri(state, &tenant.slug) else {
        return Ok(refused_plain("sso_provider_unreachable"));
    };
    let secret = settings
        .client_secret(&state.config.keys.sso_client_secrets)
        .ok_or_else(|| ApiError::internal("the single sign-on secret cannot be opened"))?;
    let side = client_side(&settings, secret, &redirect);
    let vouched = match state.sso.finish(&side, code, attempt.pkce_verifier, &attempt.nonce).await {
        Ok(vouched) => vouched,
        Err(failure) => return Ok(refused(failure.code(), &failure)),
    };
    let mapped = settings.choices.roles.apply(&vouched.claims);
    let email =
        mapping::admitted_email(vouched.email.as_deref(), vouched.email_verified, &settings.choices.allowed_domains);
    if attempt.trial {
        return Ok(found(&format!("/admin/sso#trial={}", trial_report(&vouched, &mapped, email.as_ref().err()))));
    }
    let email = match email {
        Ok(email) => email,
        Err(why) => return Ok(refused_plain(why.code())),
    };
    sign_in(state, origin, &tenant, &settings, &vouched, &mapped, &email).await
}

/// Signs the admitted person in: the member found or made, the session opened as a password
/// login opens it (`amr` says `sso` and what the provider said), the provider's session kept
/// for its back-channel logout.
async fn sign_in(
    state: &AppState,
    origin: &Origin,
    tenant: &TenantRef,
    settings: &Settings,
    vouched: &Vouched,
    mapped: &Mapped,
    email: &str,
) -> ApiResult<Response> {
    let may_create = signin::may_create(&mut *state.db.acquire().await?, email, settings.choices.auto_create).await?;
    // No connection is held while argon2 runs.
    let new_password_hash =
        if may_create { Some(state.guard.hash(random_token()).await.map_err(ApiError::from)?) } else { None };
    let admitted = Admitted {
        email,
        role: mapped.role,
        maps_roles: settings.choices.roles.claim.is_some(),
        auto_create: settings.choices.auto_create,
        vouched,
    };
    let mut tx = state.db.begin().await?;
    let candidate = match signin::person(&mut tx, tenant, &admitted, new_password_hash, origin).await {
        Ok(candidate) => candidate,
        Err(SignInError::NotHere(why)) => return Ok(refused_plain(why.code())),
        Err(SignInError::Database(err)) => return Err(err.into()),
    };
    let Ok(role) = candidate.grantable_role(true) else { return Ok(refused_plain("sso_no_access")) };
    let staff = matches!(role, Role::Owner | Role::Admin | Role::Agent);
    if candidate.mfa_enabled && staff && !mapping::multi_factor(&vouched.amr) {
        let mfa_token = second_factor::open_challenge(&mut tx, candidate.user_id, Some(tenant.id)).await?;
        tx.commit().await?;
        return Ok(found(&format!("/login#mfa_token={mfa_token}")));
    }
    let amr = std::iter::once("sso".to_owned()).chain(vouched.amr.iter().take(8).cloned()).collect();
    let (tokens, session_id) = open_session(state, &mut tx, &candidate, role, amr, origin).await?;
    signin::remember_session(&mut tx, session_id, tenant.id, vouched).await?;
    tx.commit().await?;
    let cookie = SetRefreshCookie::issue(&tokens.refresh_token, state.config.jwt.refresh_ttl);
    Ok((cookie, found("/")).into_response())
}

/// The owner's test sign-in, for the settings page: what the provider sent and how it mapped,
/// as base64url JSON in the fragment (which no server sees).
fn trial_report(vouched: &Vouched, mapped: &Mapped, refused: Option<&mapping::Why>) -> String {
    let report = serde_json::json!({
        "subject": vouched.subject,
        "email": vouched.email,
        "email_verified": vouched.email_verified,
        "name": vouched.name,
        "amr": vouched.amr,
        "role_claim_values": mapped.values,
        "role": mapped.role,
        "refused": refused.map(|why| why.code()),
    });
    URL_SAFE_NO_PAD.encode(report.to_string())
}

fn client_side<'a>(settings: &'a Settings, client_secret: String, redirect_uri: &'a str) -> ClientSide<'a> {
    ClientSide {
        issuer: &settings.choices.issuer,
        client_id: &settings.choices.client_id,
        client_secret,
        redirect_uri,
        scopes: &settings.choices.scopes,
    }
}

/// A 302 to `location`.
fn found(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, header_value(location))]).into_response()
}

fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).expect("a URL or cookie made here is a valid header value")
}

/// Back to the sign-in page with the reason; the failure is logged for the operators.
fn refused(code: &'static str, failure: &Failure) -> Response {
    tracing::info!(code, %failure, "single sign-on refused");
    refused_plain(code)
}

fn refused_plain(code: &'static str) -> Response {
    found(&format!("/login?sso_error={code}"))
}

/// A back-channel logout request (form-encoded), as the OpenAPI document shows it (the body is
/// read as the specification says: the first `logout_token`, other fields ignored).
#[derive(Debug, Deserialize, ToSchema)]
#[expect(dead_code, reason = "documents the form; the handler reads the body itself")]
pub struct LogoutForm {
    pub logout_token: String,
}

/// The longest logout token read.
const LOGOUT_TOKEN_MAX: usize = 16 * 1024;

/// The provider ends a person's sessions (OpenID Connect Back-Channel Logout 1.0).
#[utoipa::path(post, path = "/v1/auth/sso/backchannel-logout", tag = "auth",
    request_body(content = LogoutForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The sessions it names are ended on every replica"),
        (status = 400, description = "`invalid_request`: a missing or invalid logout token (the detail says why)"),
    ))]
pub async fn post_backchannel_logout(
    State(state): State<AppState>,
    origin: Origin,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let token =
        url::form_urlencoded::parse(&body).find(|(name, _)| name == "logout_token").map(|(_, v)| v.into_owned());
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= LOGOUT_TOKEN_MAX) else {
        return Ok(logout_refused(&state, "the logout_token is missing"));
    };
    let Some((issuer, client_id)) = provider::unverified_issuer_and_audience(&token) else {
        return Ok(logout_refused(&state, "the logout_token is not a JWT with one audience"));
    };
    let configured = settings::of_client(&mut *state.db.acquire().await?, &issuer, &client_id).await?;
    if configured.is_empty() {
        return Ok(logout_refused(&state, "no organisation signs in with this issuer and client"));
    }
    let order = match state.sso.verify_logout(&token, &issuer, &client_id).await {
        Ok(order) => order,
        Err(failure) => return Ok(logout_refused(&state, &failure.to_string())),
    };
    let mut tx = state.db.begin().await?;
    let mut ended = Vec::new();
    for settings in &configured {
        let revoked =
            signin::revoke_sessions(&mut tx, settings.tenant_id, order.subject.as_deref(), order.sid.as_deref())
                .await?;
        let people: std::collections::BTreeSet<_> = revoked.iter().filter_map(|(_, user)| *user).collect();
        for person in people {
            let details = serde_json::json!({ "sessions": revoked.iter().filter(|(_, u)| *u == Some(person)).count() });
            audit::record(&mut tx, Action::SsoLogout, Some(person), Some(settings.tenant_id), &origin, details).await?;
        }
        ended.extend(revoked.into_iter().map(|(session, _)| session));
    }
    tx.commit().await?;
    state.notifier.sessions_revoked(&ended).await;
    state.sso.metrics.logout(true);
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response())
}

/// The specification's 400, as every error here: a problem whose `code` is the specification's
/// `invalid_request` and whose `detail` says why.
fn logout_refused(state: &AppState, description: &str) -> Response {
    state.sso.metrics.logout(false);
    let mut response =
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", description.to_owned()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
