//! `POST /v1/tenants/signup` and `GET /v1/tenants/{slug}/status`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError, OnConstraint as _};
use shared::http::JsonBody;
use shared::tenant::Slug;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{TenantView, name_errors, path_slug};
use crate::identity::email::Email;
use crate::identity::password;
use crate::identity::users::{self, UserProfile};
use crate::state::AppState;
use crate::tenancy::jobs::{self, JobKind};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub email: String,
    pub password: String,
    pub firstname: String,
    pub lastname: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub organization_name: String,
    /// 3 to 63 of `[a-z0-9-]`, no leading or trailing hyphen, not reserved.
    pub slug: String,
    pub admin: NewPerson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupTenant {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub tenant: SignupTenant,
    pub user: UserProfile,
}

/// A person checked for use as a new or existing identity.
pub struct CheckedPerson {
    pub email: Email,
    pub password: String,
    pub firstname: String,
    pub lastname: String,
}

/// Checks a new person's fields, prefixing field names with `prefix`.
pub fn check_person(person: NewPerson, prefix: &str, errors: &mut Vec<FieldError>) -> Option<CheckedPerson> {
    let email = Email::parse(&person.email).map_err(|e| errors.push(FieldError::new(format!("{prefix}email"), e))).ok();
    if let Some(Err(e)) = email.as_ref().map(|email| password::check_policy(&person.password, email.as_str())) {
        errors.push(FieldError::new(format!("{prefix}password"), e));
    }
    name_errors(&format!("{prefix}firstname"), &person.firstname, 100, errors);
    name_errors(&format!("{prefix}lastname"), &person.lastname, 100, errors);
    Some(CheckedPerson {
        email: email?,
        password: person.password,
        firstname: person.firstname.trim().to_owned(),
        lastname: person.lastname.trim().to_owned(),
    })
}

/// The identity for `person`: a new one, or the existing one when its password matches. The
/// argon2 work happens before the caller opens its transaction.
pub enum Identity {
    New { id: Uuid, password_hash: String },
    Existing(UserProfile),
}

pub async fn identity_for(state: &AppState, person: &CheckedPerson) -> ApiResult<Identity> {
    let mut conn = state.db.acquire().await?;
    let existing = users::login_candidate(&mut conn, &person.email.normalized(), None).await?;
    drop(conn);
    match existing {
        None => Ok(Identity::New { id: Uuid::now_v7(), password_hash: password::hash(person.password.clone()).await }),
        Some(candidate) => {
            if candidate.user_status == "active"
                && password::verify(person.password.clone(), Some(candidate.password_hash.clone())).await
            {
                Ok(Identity::Existing(candidate.profile()))
            } else {
                Err(ApiError::conflict("an account with this email already exists: use its password, or another email"))
            }
        }
    }
}

/// Writes a new identity (inside the caller's transaction) and returns its profile.
pub async fn materialize(
    conn: &mut sqlx::PgConnection,
    identity: Identity,
    person: &CheckedPerson,
) -> ApiResult<UserProfile> {
    match identity {
        Identity::Existing(profile) => Ok(profile),
        Identity::New { id, password_hash } => {
            sqlx::query(
                "INSERT INTO users (id, email, password_hash, firstname, lastname) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(person.email.as_str())
            .bind(&password_hash)
            .bind(&person.firstname)
            .bind(&person.lastname)
            .execute(&mut *conn)
            .await
            .on_constraint("users_email_key", |_| ApiError::conflict("an account with this email already exists"))?;
            Ok(UserProfile {
                id,
                email: person.email.as_str().to_owned(),
                firstname: person.firstname.clone(),
                lastname: person.lastname.clone(),
            })
        }
    }
}

/// Register an organisation: its owner account, and its database (provisioned in the
/// background; poll the status).
#[utoipa::path(post, path = "/v1/tenants/signup", tag = "tenants", request_body = SignupRequest,
    responses(
        (status = 202, description = "Accepted: the tenant is being provisioned", body = SignupResponse),
        (status = 400, description = "`validation_failed`: unreadable body or unknown fields", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: the slug is taken, or the email belongs to an account whose password was not given", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed`: bad slug, name, email or password", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_signup(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SignupRequest>,
) -> ApiResult<(StatusCode, Json<SignupResponse>)> {
    let mut errors = Vec::new();
    let slug = Slug::parse_new(&request.slug).map_err(|e| errors.push(FieldError::new("slug", e.to_string()))).ok();
    name_errors("organization_name", &request.organization_name, 200, &mut errors);
    let person = check_person(request.admin, "admin.", &mut errors);
    let (Some(slug), Some(person), true) = (slug, person, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let identity = identity_for(&state, &person).await?;

    let mut tx = state.db.begin().await?;
    let user = materialize(&mut tx, identity, &person).await?;
    let name = request.organization_name.trim().to_owned();
    let tenant_id = Uuid::now_v7();
    sqlx::query("INSERT INTO tenants (id, slug, name, status) VALUES ($1, $2, $3, 'provisioning')")
        .bind(tenant_id)
        .bind(slug.as_str())
        .bind(&name)
        .execute(&mut *tx)
        .await
        .on_constraint("tenants_slug_key", |_| ApiError::conflict("this slug is taken"))?;
    sqlx::query("INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'owner')")
        .bind(user.id)
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?;
    jobs::enqueue(&mut tx, tenant_id, JobKind::Provision).await?;
    tx.commit().await?;
    tracing::info!(tenant = %tenant_id, slug = slug.as_str(), "tenant signed up");
    let tenant = SignupTenant { id: tenant_id, slug: slug.as_str().to_owned(), name, status: "provisioning".into() };
    Ok((StatusCode::ACCEPTED, Json(SignupResponse { tenant, user })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantStatus {
    pub slug: String,
    pub status: String,
}

/// A tenant's status: poll after signup until `active`.
#[utoipa::path(get, path = "/v1/tenants/{slug}/status", tag = "tenants",
    params(("slug" = String, Path, description = "The tenant's slug")),
    responses(
        (status = 200, description = "The status", body = TenantStatus),
        (status = 404, description = "`not_found`", body = shared::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_status(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult<Json<TenantStatus>> {
    let slug = path_slug(&slug)?;
    let mut conn = state.db.acquire().await?;
    let tenant: TenantView = super::find(&mut conn, &slug).await?;
    Ok(Json(TenantStatus { slug: tenant.slug, status: tenant.status }))
}
