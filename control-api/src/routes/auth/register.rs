//! `POST /v1/auth/register`: end users register themselves as customers of an active tenant,
//! and are mailed the link that verifies their address.
//! An existing identity joins with its own password, but the answer never says whether that
//! password was right: 201 either way (only a right one joins), the check counts against the
//! login limiter like any other, and login is where the person finds out.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult};
use shared::http::JsonBody;
use shared::tenant::Slug;
use utoipa::ToSchema;

use crate::identity::mail::compose::Language;
use crate::identity::password::Busy;
use crate::identity::people::NewPerson;
use crate::identity::sessions::Origin;
use crate::routes::auth::TenantRef;
use crate::routes::within_limit;
use crate::state::AppState;
use crate::tenancy::joining::{self, Registration, RegistrationError};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The tenant's slug.
    pub tenant: String,
    pub email: String,
    pub password: String,
    pub firstname: String,
    pub lastname: String,
    /// The language of the verification mail: `en` (default) or `fr`.
    #[serde(default)]
    pub language: Language,
}

/// The same answer for every registration that passed its checks.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    pub tenant: TenantRef,
    /// The email, as given.
    pub email: String,
    /// Always `customer`.
    pub role: &'static str,
}

impl TryFrom<RegisterRequest> for Registration {
    type Error = ApiError;

    /// A slug that cannot be one is a tenant not found (404); the person's fields are checked
    /// together (422 with each field's error).
    fn try_from(request: RegisterRequest) -> ApiResult<Self> {
        let RegisterRequest { tenant, email, password, firstname, lastname, language } = request;
        let tenant = Slug::parse_syntax(&tenant).map_err(|_| RegistrationError::TenantNotFound)?;
        let person = NewPerson { email, password, firstname, lastname }.checked().map_err(ApiError::invalid)?;
        Ok(Self { tenant, person, language })
    }
}

/// Counts a registration against the caller's address.
async fn check_registration_budget(state: &AppState, ip: Option<std::net::IpAddr>) -> ApiResult<()> {
    if let (Some(limit), Some(ip)) = (&state.signups.registrations_per_ip, ip) {
        let too_many = "too many registrations from this address; retry later";
        within_limit(&state.signups.limiter, limit, format!("register:{ip}"), too_many).await?;
    }
    Ok(())
}

/// Register as a customer of a tenant, then sign in with /v1/auth/login.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered, or (for an email that has an account) joined if the password was that account's: sign in to continue. An address not verified yet is mailed a verification link (valid 7 days)", body = Registered),
        (status = 404, description = "`tenant_not_found`"),
        (status = 422, description = "`validation_failed`"),
        (status = 429, description = "`rate_limited`: too many failed attempts on this account or from this address, or too many registrations from this address"),
        Busy,
    ))]
pub async fn post_register(
    State(state): State<AppState>,
    origin: Origin,
    JsonBody(request): JsonBody<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    let registration = Registration::try_from(request)?;
    check_registration_budget(&state, origin.ip).await?;
    let email = registration.person.email.as_str().to_owned();
    let language = registration.language;
    let (tenant, joiner) = joining::prepare_registration(&state.db, &state.guard, registration, &origin).await?;
    if let Some(joiner) = joiner {
        let mut tx = state.db.begin().await?;
        let mailed = joining::register(&mut tx, &tenant, joiner, &origin, &state.mail, language).await?;
        tx.commit().await?;
        if mailed {
            state.mail.wake();
        }
    }
    Ok((StatusCode::CREATED, Json(Registered { tenant, email, role: "customer" })))
}
