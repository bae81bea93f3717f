//! Who may reach what, loaded once per request: the extractor `Access<R>` gives a handler, in
//! one call, the caller as the tenant knows them now and the thing the route names as the
//! caller may see it (a ticket, its detail, an attachment, a macro to apply). The role is read
//! from the tenant's users mirror (`sav::tickets::access::Viewer`), never from the token, which
//! may be minutes old; `R` says who may call the route, checked in one place (`Requirement`):
//! as the request is read, before its path, query and body, so a caller the route refuses is
//! answered 403 whatever else they sent (the connection the role was read on serves the handler).

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use sav::ids::{MacroId, TicketId, UserId};
use sav::macros::{self, Applying};
use sav::tickets::access::Viewer;
use sav::tickets::store::{self, Detail, Ticket};
use shared::auth::Role;
use shared::error::{ApiError, ApiResult};
use shared::http::openapi::problem_responses;
use utoipa::openapi::{RefOr, Response};

use crate::attachments::store::{self as files, Found};
use crate::context::{AnonymousVisit, TenantContext};
use crate::refusals::{Answer as _, Answered as _};
use crate::tenancy::pools::TenantConnection;
use crate::tenancy::resolve::Tenant;
use crate::tenancy::{Tenancy, TenantDb};

/// Who may call a route, checked against the caller as the users mirror knows them now.
pub trait Requirement {
    /// The 403 of those it refuses, as the OpenAPI document says it (`None`: it refuses nobody
    /// the route would not describe itself).
    const FORBIDDEN: Option<&'static str> = None;
    /// Whether it refuses anyone: the role is then checked before the request's input is read.
    const REFUSES_ANYONE: bool = true;

    fn check(viewer: Viewer) -> ApiResult<()>;
}

/// Any active member of the tenant.
pub enum Members {}
/// Agents, admins and owners (and integrations, which act as staff).
pub enum Staff {}
/// Admins and owners.
pub enum Admins {}
/// Customers: what is theirs as the people staff serve (their customer organisations).
pub enum Customers {}
/// Mail servers: integrations whose API key holds the `inbound:email` scope (people are refused,
/// staff with their own reason).
pub enum MailServers {}
/// Routes about the caller's own rows (their profile, bell, settings, export): the rows answer
/// for themselves, so no role is read. Not a `Requirement`: `Access<Own>` only opens `own`.
pub enum Own {}

impl Requirement for Members {
    const REFUSES_ANYONE: bool = false;

    fn check(_: Viewer) -> ApiResult<()> {
        Ok(())
    }
}

impl Requirement for Staff {
    const FORBIDDEN: Option<&'static str> = Some("`forbidden`: staff only (a customer is refused)");

    fn check(viewer: Viewer) -> ApiResult<()> {
        viewer.require_staff().answered()
    }
}

impl Requirement for Admins {
    const FORBIDDEN: Option<&'static str> = Some("`forbidden`: owners and admins only");

    fn check(viewer: Viewer) -> ApiResult<()> {
        viewer.require_admin().answered()
    }
}

impl Requirement for Customers {
    const FORBIDDEN: Option<&'static str> = Some("`forbidden`: customers only");

    fn check(viewer: Viewer) -> ApiResult<()> {
        if viewer.role == Role::Customer {
            return Ok(());
        }
        Err(ApiError::forbidden("this is a customer's: staff belong to no customer organisation"))
    }
}

impl Requirement for MailServers {
    fn check(viewer: Viewer) -> ApiResult<()> {
        viewer.require_staff().answered()?;
        if viewer.role == Role::Integration {
            return Ok(());
        }
        Err(ApiError::forbidden("mail is posted by a mail server with an API key holding the inbound:email scope"))
    }
}

/// What extracting `Access<R>` checks: `R`'s requirement, or nothing for a caller's own rows.
pub trait Admission {
    /// The check, when the route refuses anyone.
    const CHECK: Option<fn(Viewer) -> ApiResult<()>>;
}

impl<R: Requirement> Admission for R {
    const CHECK: Option<fn(Viewer) -> ApiResult<()>> = if R::REFUSES_ANYONE { Some(R::check) } else { None };
}

impl Admission for Own {
    const CHECK: Option<fn(Viewer) -> ApiResult<()>> = None;
}

/// What a route answers before its handler runs, for its OpenAPI document: list `Access<R>` in
/// the route's `responses`.
impl<R: Requirement> utoipa::IntoResponses for Access<R> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses(R::FORBIDDEN.map(|forbidden| ("403", forbidden)))
    }
}

/// The 404 of a route that names a ticket: one the caller may not see does not exist for them
/// (`Access::ticket`): list `TicketNotFound` in the route's `responses`.
pub struct TicketNotFound;

impl utoipa::IntoResponses for TicketNotFound {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([("404", "`not_found`: no such ticket, or not one the caller may see")])
    }
}

/// What a caller reached: themselves as the tenant knows them, the thing as they may see it, and
/// the connection it was read on, for the call that follows.
pub struct Scoped<T> {
    pub viewer: Viewer,
    pub item: T,
    pub db: TenantConnection,
}

/// The way to the request's tenant database for a route that `R` may call. When `R` refuses
/// anyone, the caller's role was checked as the request was read, and the connection it was read
/// on waits for the handler's first call; otherwise no connection is held until a method is
/// called.
pub struct Access<R> {
    db: TenantDb,
    user_id: UserId,
    checked: Mutex<Option<(Viewer, TenantConnection)>>,
    admits: PhantomData<R>,
}

impl<R> Access<R> {
    /// The connection the caller's role was checked on, or a new one.
    async fn connection(&self) -> ApiResult<TenantConnection> {
        match self.held() {
            Some((_, db)) => Ok(db),
            None => self.db.connect().await,
        }
    }

    fn held(&self) -> Option<(Viewer, TenantConnection)> {
        self.checked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }

    /// The request's tenant.
    pub fn tenant(&self) -> Arc<Tenant> {
        Arc::clone(self.db.tenant())
    }

    /// The tenant's database, for a command that takes its connections itself and reads the
    /// caller under its own lock (an upload, a rating).
    pub fn db(&self) -> &TenantDb {
        &self.db
    }

    /// Who calls, as the token (or API key) names them.
    pub fn user_id(&self) -> UserId {
        self.user_id
    }
}

impl Access<Own> {
    /// A connection for the caller's own rows.
    pub async fn own(&self) -> ApiResult<TenantConnection> {
        self.db.connect().await
    }
}

impl<R: Requirement> Access<R> {
    /// The caller, once `R` admits them, and a connection.
    pub async fn connect(&self) -> ApiResult<(Viewer, TenantConnection)> {
        if let Some(checked) = self.held() {
            return Ok(checked);
        }
        let mut db = self.connection().await?;
        let viewer = Viewer::load(&mut *db.begin().await?, self.user_id).await.answered()?;
        R::check(viewer)?;
        Ok((viewer, db))
    }

    /// Ticket `id` as the caller may see it, then `R`: a ticket the caller may not see does not
    /// exist for them (404), even on a route they may not call; one they see but may not act on
    /// is refused (403).
    pub async fn ticket(&self, id: TicketId) -> ApiResult<Scoped<Ticket>> {
        let mut db = self.connection().await?;
        let (viewer, ticket) = store::visible(&mut *db.begin().await?, self.user_id, id, false).await.answered()?;
        R::check(viewer)?;
        Ok(Scoped { viewer, item: ticket, db })
    }

    /// Ticket `id` with everything its page shows, read with the caller's role in one statement,
    /// as `ticket` scopes it; of its files, those the caller may see (no internal file for a
    /// customer).
    pub async fn ticket_detail(&self, id: TicketId) -> ApiResult<Scoped<Detail>> {
        let mut db = self.connection().await?;
        let mut tx = db.begin().await?;
        let Some(mut row) = store::detail(&mut tx, self.user_id, id).await? else {
            return Err(store::missing(&mut tx, self.user_id, id).await.answer());
        };
        drop(tx);
        let viewer = Viewer::from_row(self.user_id, row.viewer_role, row.viewer_access)
            .answered()?
            .reaching(row.colleague_may_comment);
        row.attachments.retain(|a| !a.is_internal || viewer.sees_internal_notes());
        let (viewer, ticket) = store::seen(viewer, row.ticket, row.in_viewer_teams).answered()?;
        R::check(viewer)?;
        Ok(Scoped { viewer, item: Detail { ticket, ..row }, db })
    }

    /// Attachment `id` once `R` admits the caller, if they may see it: its ticket, and an
    /// internal file for staff only (404 otherwise).
    pub async fn attachment(&self, id: i64) -> ApiResult<Scoped<Found>> {
        let (viewer, mut db) = self.connect().await?;
        let found = files::find(&mut *db.begin().await?, id, viewer.id)
            .await?
            .map(|f| (viewer.reaching(f.colleague_may_comment), f))
            .filter(|(viewer, f)| viewer.sees(f.ticket_customer, f.ticket_assignee, f.ticket_team, f.in_viewer_teams))
            .filter(|(viewer, f)| !f.attachment.is_internal || viewer.sees_internal_notes());
        let (viewer, found) = found.ok_or_else(|| ApiError::not_found(format!("there is no attachment {id}")))?;
        Ok(Scoped { viewer, item: found, db })
    }

    /// Macro `id` to apply to ticket `ticket`, with the values its message fills in, read with the
    /// caller's role in one statement; a caller `R` refuses never learns which macros exist.
    pub async fn macro_to_apply(&self, id: MacroId, ticket: TicketId) -> ApiResult<Scoped<Applying>> {
        let mut db = self.connection().await?;
        let mut tx = db.begin().await?;
        let Some(applying) = macros::applying(&mut tx, id, ticket, self.user_id).await? else {
            R::check(Viewer::load(&mut tx, self.user_id).await.answered()?)?;
            return Err(macros::Refused::NotFound.answer());
        };
        drop(tx);
        let viewer = Viewer::from_row(self.user_id, applying.caller_role, applying.caller_access).answered()?;
        R::check(viewer)?;
        Ok(Scoped { viewer, item: applying, db })
    }
}

impl<R: Admission, S> FromRequestParts<S> for Access<R>
where
    Arc<Tenancy>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let context = TenantContext::from_request_parts(parts, state).await?;
        let tenancy = Arc::<Tenancy>::from_ref(state);
        let db = TenantDb::new(tenancy.pools.clone(), context.tenant);
        let mut checked = None;
        if let Some(check) = R::CHECK {
            let mut conn = db.connect().await?;
            let viewer = Viewer::load(&mut *conn.begin().await?, context.user_id).await.answered()?;
            check(viewer)?;
            checked = Some((viewer, conn));
        }
        Ok(Self { db, user_id: context.user_id, checked: Mutex::new(checked), admits: PhantomData })
    }
}

/// The caller of a route anyone on the organisation's host may reach but only `R` may use (a help
/// center write), checked as the request is read, before its path and body: themselves, the
/// connection their role was read on, and the way to the tenant's database.
pub struct Admitted<R> {
    pub viewer: Viewer,
    pub db: TenantConnection,
    pub visitor: Visitor,
    admits: PhantomData<R>,
}

impl<R: Requirement, S> FromRequestParts<S> for Admitted<R>
where
    Arc<Tenancy>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let (viewer, db) = visitor.require::<R>().await?;
        Ok(Self { viewer, db, visitor, admits: PhantomData })
    }
}

/// The way to the request's tenant database for a route anyone may call: the caller, when
/// signed in, as the tenant knows them now.
pub struct Visitor {
    db: TenantDb,
    user_id: Option<UserId>,
}

impl Visitor {
    /// The request's tenant.
    pub fn tenant(&self) -> Arc<Tenant> {
        Arc::clone(self.db.tenant())
    }

    /// The tenant's database, for a command that takes its connections itself (an upload).
    pub fn db(&self) -> &TenantDb {
        &self.db
    }

    /// The caller, when signed in (`None`: nobody), and a connection.
    pub async fn connect(&self) -> ApiResult<(Option<Viewer>, TenantConnection)> {
        let mut db = self.db.connect().await?;
        let viewer = match self.user_id {
            Some(id) => Some(Viewer::load(&mut *db.begin().await?, id).await.answered()?),
            None => None,
        };
        Ok((viewer, db))
    }

    /// The caller, once `R` admits them (401 for nobody), and a connection.
    pub async fn require<R: Requirement>(&self) -> ApiResult<(Viewer, TenantConnection)> {
        if self.user_id.is_none() {
            return Err(ApiError::unauthorized("this needs an Authorization: Bearer token"));
        }
        let (viewer, db) = self.connect().await?;
        let viewer = viewer.ok_or_else(|| ApiError::internal("a signed-in visitor without a viewer"))?;
        R::check(viewer)?;
        Ok((viewer, db))
    }
}

impl<S> FromRequestParts<S> for Visitor
where
    Arc<Tenancy>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let tenancy = Arc::<Tenancy>::from_ref(state);
        if let Some(context) = parts.extensions.get::<TenantContext>() {
            let db = TenantDb::new(tenancy.pools.clone(), Arc::clone(&context.tenant));
            return Ok(Self { db, user_id: Some(context.user_id) });
        }
        let visit = parts
            .extensions
            .get::<AnonymousVisit>()
            .ok_or_else(|| ApiError::internal("a help center handler is mounted outside the visitor middleware"))?;
        Ok(Self { db: TenantDb::new(tenancy.pools.clone(), Arc::clone(&visit.tenant)), user_id: None })
    }
}
