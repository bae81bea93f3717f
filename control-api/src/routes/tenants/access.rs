//! Who may act on a tenant, decided in one place. `TenantAccess<R>` reads the `{slug}` of the
//! path, loads the tenant and the caller's standing on it, and refuses what the requirement `R`
//! does not allow; `PlatformOperator` admits platform operators to what concerns no tenant in
//! particular. Handlers receive the tenant and the standing, already checked.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::Value;
use shared::auth::{Claims, Role};
use shared::error::{ApiError, ApiResult};
use shared::http::openapi::problem_responses;
use shared::tenant::{Slug, TenantStatus};
use sqlx::PgConnection;
use utoipa::IntoResponses;
use utoipa::openapi::{RefOr, Response};

use crate::identity::audit::{self, Action};
use crate::identity::memberships::{self, CallerRole};
use crate::identity::sessions::Origin;
use crate::identity::users;
use crate::routes::Caller;
use crate::state::AppState;
use crate::tenancy::tenants::{self, TenantView};

/// What the caller may do on a tenant, read fresh from the database (a token's role may be
/// minutes old).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    PlatformAdmin,
    Owner,
    Admin,
    /// An agent or a customer of the tenant: knows it exists, may not manage it.
    Member,
    /// No member at all.
    Other,
}

/// What a route asks of the caller: the standings it admits, and whether a deleted tenant
/// (or one being deleted) may still be acted on.
pub trait Requirement {
    const ALLOWED: &'static [Standing];
    /// `true`: a tenant that is gone answers 410 `tenant_deleted`.
    const LIVE: bool = false;
    /// The 403 answer as the OpenAPI document says it: who is admitted, and the codes it carries.
    const FORBIDDEN: &'static str;
}

/// Owners, admins and platform operators: reading and managing a tenant.
pub struct Managers;

/// Owners and platform operators: deleting a tenant.
pub struct Owners;

/// Platform operators alone: suspending and reactivating.
pub struct Operators;

/// The tenant's owners alone: its single sign-on, which decides who its staff are.
pub struct OwnersAlone;

/// `R`, on a tenant that is not deleted or being deleted: a change to it.
pub struct Live<R>(PhantomData<R>);

impl Requirement for Managers {
    const ALLOWED: &'static [Standing] = &[Standing::PlatformAdmin, Standing::Owner, Standing::Admin];
    const FORBIDDEN: &'static str = "`forbidden`: owners and admins only; `tenant_mismatch`, `mfa_required`";
}

impl Requirement for Owners {
    const ALLOWED: &'static [Standing] = &[Standing::PlatformAdmin, Standing::Owner];
    const FORBIDDEN: &'static str =
        "`forbidden`: owners and platform operators only; `tenant_mismatch`, `mfa_required`";
}

impl Requirement for OwnersAlone {
    const ALLOWED: &'static [Standing] = &[Standing::Owner];
    const FORBIDDEN: &'static str = "`forbidden`: the tenant's owners only; `tenant_mismatch`, `mfa_required`";
}

impl Requirement for Operators {
    const ALLOWED: &'static [Standing] = &[Standing::PlatformAdmin];
    const FORBIDDEN: &'static str = OPERATORS_ONLY;
}

impl<R: Requirement> Requirement for Live<R> {
    const ALLOWED: &'static [Standing] = R::ALLOWED;
    const LIVE: bool = true;
    const FORBIDDEN: &'static str = R::FORBIDDEN;
}

/// The 403 of what platform operators alone may do.
const OPERATORS_ONLY: &str = "`forbidden`: platform operators only";

/// The tenant named by the path's `{slug}`, which the caller may act on as `R` requires, and
/// where the request came from (for the audit log).
pub struct TenantAccess<R> {
    pub claims: Claims,
    pub tenant: TenantView,
    pub standing: Standing,
    origin: Origin,
    requirement: PhantomData<fn() -> R>,
}

impl<R: Requirement> FromRequestParts<AppState> for TenantAccess<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(claims) = Caller::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(ApiError::internal)?;
        let raw = params
            .iter()
            .find_map(|(name, value)| (name == "slug").then_some(value))
            .ok_or_else(|| ApiError::internal("a tenant route without {slug}"))?;
        let slug = path_slug(raw)?;
        let mut conn = state.db.acquire().await?;
        let tenant = find(&mut conn, &slug).await?;
        let caller = memberships::caller_role(&mut conn, claims.sub, tenant.id).await?.ok_or_else(account_gone)?;
        drop(conn);
        let standing = standing(&claims, &caller, &tenant)?;
        admit::<R>(standing, tenant.status)?;
        let Ok(origin) = Origin::from_request_parts(parts, state).await;
        Ok(Self { claims, tenant, standing, origin, requirement: PhantomData })
    }
}

/// What a tenant route answers before its handler runs, for its OpenAPI document: list
/// `TenantAccess<R>` in the route's `responses`, before any of these the route says more precisely.
impl<R: Requirement> IntoResponses for TenantAccess<R> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let gone = R::LIVE.then_some(("410", "`tenant_deleted`"));
        problem_responses([("403", R::FORBIDDEN), ("404", "`not_found`")].into_iter().chain(gone))
    }
}

impl<R: Requirement> TenantAccess<R> {
    /// The tenant read again and locked until the transaction `tx` ends, its status checked
    /// again: a change that depends on the tenant's state cannot race another change of it
    /// (two deletions, a rename and a deletion).
    pub async fn lock(&self, tx: &mut PgConnection) -> ApiResult<TenantView> {
        let tenant = tenants::lock(tx, self.tenant.id).await?.ok_or_else(no_such_tenant)?;
        admit::<R>(self.standing, tenant.status)?;
        Ok(tenant)
    }

    /// Records `action`, taken by the caller on this tenant, in the audit log.
    pub async fn record(&self, conn: &mut PgConnection, action: Action, details: Value) -> sqlx::Result<()> {
        audit::record(conn, action, Some(self.claims.sub), Some(self.tenant.id), &self.origin, details).await
    }
}

/// The caller is a platform operator acting with a platform token.
pub struct PlatformOperator;

impl FromRequestParts<AppState> for PlatformOperator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(claims) = Caller::from_request_parts(parts, state).await?;
        let mut conn = state.db.acquire().await?;
        let is_platform_admin = users::is_platform_admin(&mut conn, claims.sub).await?.ok_or_else(account_gone)?;
        if operates_platform(&claims, is_platform_admin) {
            Ok(Self)
        } else {
            Err(ApiError::forbidden("platform operators only"))
        }
    }
}

/// What a platform route answers before its handler runs, for its OpenAPI document.
impl IntoResponses for PlatformOperator {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([("403", OPERATORS_ONLY)])
    }
}

/// Platform operators act with a platform token (one issued without a tenant, for the
/// platform's role) while the database still says they operate the platform.
fn operates_platform(claims: &Claims, is_platform_admin: bool) -> bool {
    is_platform_admin && claims.tid.is_none() && claims.role == Role::PlatformAdmin
}

/// The slug in a path: malformed ones are simply not found.
pub fn path_slug(raw: &str) -> ApiResult<Slug> {
    Slug::parse_syntax(raw).map_err(|_| no_such_tenant())
}

pub async fn find(conn: &mut PgConnection, slug: &Slug) -> ApiResult<TenantView> {
    tenants::find_by_slug(conn, slug.as_str()).await?.ok_or_else(no_such_tenant)
}

fn no_such_tenant() -> ApiError {
    ApiError::not_found("no such tenant")
}

fn account_gone() -> ApiError {
    ApiError::unauthorized("this account no longer exists or is disabled")
}

/// Whether the tenant asks its owners and admins for a second factor.
fn requires_second_factor(tenant: &TenantView) -> bool {
    tenant.settings.get("require_2fa_for_admins").and_then(serde_json::Value::as_bool).unwrap_or(false)
}

/// The caller's standing on `tenant`. Platform operators act with a platform token; everyone
/// else with a token issued for this tenant, and, where the tenant requires 2FA for owners and
/// admins, one whose session used the second factor. `caller` is read from the database, so a
/// demotion or removal takes effect at once.
fn standing(claims: &Claims, caller: &CallerRole, tenant: &TenantView) -> ApiResult<Standing> {
    if operates_platform(claims, caller.is_platform_admin) {
        return Ok(Standing::PlatformAdmin);
    }
    let standing = match caller.role {
        Some(Role::Owner) => Standing::Owner,
        Some(Role::Admin) => Standing::Admin,
        Some(Role::Agent | Role::Customer) => return Ok(Standing::Member),
        Some(Role::PlatformAdmin | Role::Integration) | None => return Ok(Standing::Other),
    };
    if claims.tid != Some(tenant.id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "tenant_mismatch",
            "this token was issued for another tenant: sign in to this one",
        ));
    }
    if requires_second_factor(tenant) && !claims.used_otp() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "mfa_required",
            "this organisation requires owners and admins to sign in with a second factor",
        ));
    }
    Ok(standing)
}

/// Tenants a caller cannot act on are reported as not found rather than forbidden when the
/// caller is no member at all, so slugs cannot be probed through these endpoints. A member
/// without the role is told it is forbidden: a caller acting for them (app-api) must not take
/// the refusal for a member already removed. Only then is a tenant that is gone refused, where
/// `R` asks for a live one.
fn admit<R: Requirement>(standing: Standing, status: TenantStatus) -> ApiResult<()> {
    if !R::ALLOWED.contains(&standing) {
        return Err(if standing == Standing::Other {
            no_such_tenant()
        } else {
            ApiError::forbidden("your role does not allow this")
        });
    }
    if R::LIVE && status.is_gone() {
        return Err(ApiError::new(StatusCode::GONE, "tenant_deleted", "this tenant is deleted"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn tenant(require_2fa: bool) -> TenantView {
        TenantView {
            id: Uuid::now_v7(),
            slug: "acme".into(),
            name: "Acme".into(),
            status: TenantStatus::Active,
            settings: serde_json::json!({ "require_2fa_for_admins": require_2fa }),
            time_zone: "UTC".into(),
            default_locale: "en".into(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn claims(tid: Option<Uuid>, role: Role, amr: &[&str]) -> Claims {
        Claims {
            sub: Uuid::now_v7(),
            tid,
            slug: None,
            role,
            sid: Uuid::now_v7(),
            amr: amr.iter().map(|m| (*m).to_owned()).collect(),
            iss: "helpdeskly".into(),
            aud: "helpdeskly".into(),
            iat: 0,
            exp: 0,
        }
    }

    fn code(result: ApiResult<impl std::fmt::Debug>) -> (u16, &'static str) {
        let err = result.expect_err("refused");
        (err.status().as_u16(), err.code())
    }

    #[test]
    fn operators_need_a_platform_token_and_the_flag() {
        let acme = tenant(true);
        let platform = claims(None, Role::PlatformAdmin, &["pwd"]);
        let operator = CallerRole { is_platform_admin: true, role: None };
        assert_eq!(standing(&platform, &operator, &acme).unwrap(), Standing::PlatformAdmin);
        let demoted = CallerRole { is_platform_admin: false, role: None };
        assert_eq!(standing(&platform, &demoted, &acme).unwrap(), Standing::Other);
        // An operator signed in to a tenant acts as whatever they are there.
        let in_tenant = claims(Some(acme.id), Role::Agent, &["pwd"]);
        let operator_agent = CallerRole { is_platform_admin: true, role: Some(Role::Agent) };
        assert_eq!(standing(&in_tenant, &operator_agent, &acme).unwrap(), Standing::Member);
        assert!(!operates_platform(&claims(None, Role::Owner, &["pwd"]), true));
    }

    #[test]
    fn owners_and_admins_need_this_tenants_token_and_the_second_factor_it_asks_for() {
        let acme = tenant(true);
        let owner = CallerRole { is_platform_admin: false, role: Some(Role::Owner) };
        let strong = claims(Some(acme.id), Role::Owner, &["pwd", "otp"]);
        assert_eq!(standing(&strong, &owner, &acme).unwrap(), Standing::Owner);
        assert_eq!(code(standing(&claims(Some(acme.id), Role::Owner, &["pwd"]), &owner, &acme)), (403, "mfa_required"));
        let elsewhere = claims(Some(Uuid::now_v7()), Role::Owner, &["pwd", "otp"]);
        assert_eq!(code(standing(&elsewhere, &owner, &acme)), (403, "tenant_mismatch"));
        let admin = CallerRole { is_platform_admin: false, role: Some(Role::Admin) };
        let calm = tenant(false);
        let weak = claims(Some(calm.id), Role::Admin, &["pwd"]);
        assert_eq!(standing(&weak, &admin, &calm).unwrap(), Standing::Admin);
    }

    #[test]
    fn strangers_are_not_told_the_tenant_exists_and_members_are_told_no() {
        use Standing::{Admin, Member, Other, Owner, PlatformAdmin};
        let active = TenantStatus::Active;
        assert_eq!(code(admit::<Managers>(Other, active)), (404, "not_found"));
        assert_eq!(code(admit::<Managers>(Member, active)), (403, "forbidden"));
        assert_eq!(code(admit::<Owners>(Admin, active)), (403, "forbidden"));
        assert_eq!(code(admit::<Operators>(Owner, active)), (403, "forbidden"));
        for standing in [PlatformAdmin, Owner, Admin] {
            assert!(admit::<Managers>(standing, TenantStatus::Deleted).is_ok());
            assert_eq!(code(admit::<Live<Managers>>(standing, TenantStatus::Deleting)), (410, "tenant_deleted"));
        }
        // Who may not act learns nothing of the tenant's state.
        assert_eq!(code(admit::<Live<Managers>>(Other, TenantStatus::Deleted)), (404, "not_found"));
        assert_eq!(code(admit::<Live<Owners>>(Admin, TenantStatus::Deleted)), (403, "forbidden"));
        assert!(admit::<Operators>(PlatformAdmin, TenantStatus::Suspended).is_ok());
    }
}
