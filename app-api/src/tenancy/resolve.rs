//! Which tenant a request is for. The slug comes from the `Host` subdomain under
//! `APP_BASE_DOMAIN`, else from `X-Tenant-Slug` (set by nginx); its syntax is checked before
//! any lookup. Lookups go process cache (short TTL, negative entries too) -> Redis -> control
//! database. Changes published by control-api evict both caches at once. An entry in Redis is
//! signed (`shared::signed`, under the app plane's tenant-cache key) over its slug and content: anyone
//! who can write to Redis but holds no key cannot point a slug at a database of their choosing;
//! a forged or damaged entry is logged and ignored.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use control_schema::directory::{self, TenantRow};
use serde::{Deserialize, Serialize};
use shared::config::EncryptionKey;
use shared::error::ApiError;
use shared::kept::{Kept, kept};
use shared::redis::Redis;
use shared::signed::{Encoding, Purpose};
use shared::tenant::{Slug, TenantStatus};
use sqlx::PgPool;
use uuid::Uuid;

use crate::config::BaseDomain;

/// Entries in Redis: the whole MAC.
const CACHE_ENTRY: Purpose = Purpose::new(5, 32, Encoding::Url);

/// How long Redis keeps a lookup (found or not). Evictions make this an upper bound only.
const REDIS_TTL: Duration = Duration::from_secs(60);

/// What the app plane needs to know about a tenant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: String,
    pub status: TenantStatus,
    pub require_2fa_for_admins: bool,
    pub database: Option<TenantDatabase>,
}

/// Where the tenant's database is, how to reach it, and its role's password (still encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TenantDatabase {
    pub host: String,
    pub port: u16,
    pub name: String,
    pub role: String,
    pub password_sealed: Vec<u8>,
    /// The cluster's `sslmode` (libpq names).
    pub ssl_mode: String,
    /// The pool database the tenant is one of (pooled), whose connections its tenants share.
    #[serde(default)]
    pub pool: Option<Uuid>,
}

impl TenantDatabase {
    /// Whether `other` leads to the same database as the same role (the password is sealed for
    /// each tenant of a pool apart).
    pub fn same_place(&self, other: &Self) -> bool {
        (&self.host, self.port, &self.name, &self.role, &self.ssl_mode, self.pool)
            == (&other.host, other.port, &other.name, &other.role, &other.ssl_mode, other.pool)
    }
}

impl Tenant {
    /// The tenant from its control row; a status this plane does not know fails the lookup.
    pub fn from_row(row: TenantRow) -> Result<Self, ApiError> {
        let status = TenantStatus::parse(&row.status)
            .ok_or_else(|| ApiError::internal(format!("unknown tenant status {:?}", row.status)))?;
        let database =
            match (row.host, row.port, row.database_name, row.login_role, row.db_password_encrypted, row.ssl_mode) {
                (Some(host), Some(port), Some(name), Some(role), Some(password_sealed), Some(ssl_mode)) => {
                    u16::try_from(port).ok().map(|port| TenantDatabase {
                        host,
                        port,
                        name,
                        role,
                        password_sealed,
                        ssl_mode,
                        pool: row.pool_database_id,
                    })
                }
                _ => None,
            };
        Ok(Self {
            id: row.id,
            slug: row.slug,
            status,
            require_2fa_for_admins: row.require_2fa_for_admins.unwrap_or(false),
            database,
        })
    }
}

/// Why a tenant cannot be served. Workers match on it (a tenant gone or suspended is not worth a
/// retry, a control database away is); requests answer it as a problem (`From` below).
#[derive(Debug, thiserror::Error)]
pub enum Unservable {
    #[error("no such tenant")]
    NotFound,
    #[error("this organisation is suspended")]
    Suspended,
    #[error("this organisation is still being set up; retry in a moment")]
    Provisioning,
    /// The lookup itself failed (the control database away, a row this plane cannot read).
    #[error(transparent)]
    Lookup(#[from] ApiError),
}

impl Unservable {
    /// The tenant will not be served as it is now: gone, or suspended by the platform.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::NotFound | Self::Suspended)
    }
}

impl From<sqlx::Error> for Unservable {
    fn from(err: sqlx::Error) -> Self {
        Self::Lookup(err.into())
    }
}

impl From<Unservable> for ApiError {
    fn from(refusal: Unservable) -> Self {
        match refusal {
            Unservable::NotFound => ApiError::new(StatusCode::NOT_FOUND, "tenant_not_found", "no such tenant"),
            Unservable::Suspended => {
                ApiError::new(StatusCode::FORBIDDEN, "tenant_suspended", "this organisation is suspended")
            }
            Unservable::Provisioning => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant_provisioning",
                "this organisation is still being set up; retry in a moment",
            )
            .with_retry_after(2),
            Unservable::Lookup(err) => err,
        }
    }
}

impl axum::response::IntoResponse for Unservable {
    fn into_response(self) -> axum::response::Response {
        ApiError::from(self).into_response()
    }
}

/// A lookup result, cached as is: `None` is "no such tenant".
type Lookup = Option<Arc<Tenant>>;

#[derive(Clone)]
pub struct Resolver {
    control: PgPool,
    redis: Option<Redis>,
    prefix: Arc<str>,
    base_domain: Option<BaseDomain>,
    cache: Kept<String, Lookup>,
    /// Signs and checks the entries kept in Redis.
    mac_key: EncryptionKey,
}

impl Resolver {
    pub fn new(
        control: PgPool,
        redis: Option<Redis>,
        prefix: &str,
        base_domain: Option<BaseDomain>,
        ttl: Duration,
        mac_key: EncryptionKey,
    ) -> Self {
        let cache = kept(100_000, ttl);
        Self { control, redis, prefix: Arc::from(prefix), base_domain, cache, mac_key }
    }

    /// The slug a request names, syntax-checked; nothing is looked up yet.
    pub fn slug_of(&self, headers: &HeaderMap) -> Result<Slug, ApiError> {
        let raw = self.slug_from_host(headers).or_else(|| {
            headers.get("x-tenant-slug").map(|v| v.to_str().map(|s| s.trim().to_owned()).unwrap_or_default())
        });
        let Some(raw) = raw else {
            return Err(ApiError::bad_request("name the tenant: use its subdomain, or the X-Tenant-Slug header"));
        };
        Slug::parse_syntax(&raw).map_err(|e| ApiError::bad_request(format!("the tenant slug {e}")))
    }

    /// `acme.helpdeskly.example[:port]` under the base domain gives `acme`.
    fn slug_from_host(&self, headers: &HeaderMap) -> Option<String> {
        let base = self.base_domain.as_ref()?;
        let host = headers.get(header::HOST)?.to_str().ok()?.to_ascii_lowercase();
        let host = host
            .rsplit_once(':')
            .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
            .map_or(host.as_str(), |(h, _)| h);
        let sub = host.strip_suffix(base.as_str())?.strip_suffix('.')?;
        (!sub.is_empty() && !sub.contains('.')).then(|| sub.to_owned())
    }

    /// The tenant, in a state that may serve requests.
    pub async fn resolve(&self, slug: &Slug) -> Result<Arc<Tenant>, Unservable> {
        let tenant = self.lookup(slug).await?.ok_or(Unservable::NotFound)?;
        match tenant.status {
            TenantStatus::Active if tenant.database.is_some() => Ok(tenant),
            TenantStatus::Suspended => Err(Unservable::Suspended),
            TenantStatus::Provisioning | TenantStatus::Active => Err(Unservable::Provisioning),
            TenantStatus::Deleting | TenantStatus::Deleted | TenantStatus::Failed => Err(Unservable::NotFound),
        }
    }

    /// The tenant with `id`, read from the control database (uncached: order events that name
    /// their tenant by id are few), in a state that may serve requests; `None` when there is no
    /// such tenant.
    pub async fn resolve_id(&self, id: Uuid) -> Result<Option<Arc<Tenant>>, Unservable> {
        let Some(row) = directory::tenant_by_id(&self.control, id).await? else { return Ok(None) };
        let tenant = Tenant::from_row(row)?;
        let slug = Slug::parse_syntax(&tenant.slug).map_err(|e| ApiError::internal(format!("tenant slug {e}")))?;
        self.resolve(&slug).await.map(Some)
    }

    async fn lookup(&self, slug: &Slug) -> Result<Lookup, ApiError> {
        if let Some(hit) = self.cache.get(slug.as_str()) {
            return Ok(hit);
        }
        let found = if let Some(found) = self.read_redis(slug).await {
            found
        } else {
            let found = self.read_database(slug).await?;
            self.write_redis(slug, &found).await;
            found
        };
        self.cache.insert(slug.as_str().to_owned(), found.clone());
        Ok(found)
    }

    fn redis_key(&self, slug: &str) -> String {
        format!("{}tenant:{slug}", self.prefix)
    }

    async fn read_redis(&self, slug: &Slug) -> Option<Lookup> {
        let key = self.redis_key(slug.as_str());
        let cached: Option<String> = self
            .redis
            .as_ref()?
            .run("tenant_cache", |mut conn| async move { redis::cmd("GET").arg(key).query_async(&mut conn).await })
            .await?;
        let lookup = self.open_entry(slug.as_str(), &cached?);
        if lookup.is_none() {
            tracing::warn!(slug = slug.as_str(), "ignoring a tenant cache entry in Redis that is forged or damaged");
        }
        lookup
    }

    /// A signed link (`shared::signed`) over the slug and the JSON.
    fn seal_entry(&self, slug: &str, found: &Lookup) -> String {
        let json = serde_json::to_string(&found.as_deref()).expect("serializable");
        CACHE_ENTRY.sign(&self.mac_key, format!("{slug}\n{json}").as_bytes())
    }

    fn open_entry(&self, slug: &str, entry: &str) -> Option<Lookup> {
        let payload = String::from_utf8(CACHE_ENTRY.open(&self.mac_key, entry)?).ok()?;
        // The entry must be about the slug it is stored under.
        let json = payload.strip_prefix(slug)?.strip_prefix('\n')?;
        let lookup = serde_json::from_str::<Option<Tenant>>(json).ok()?;
        if lookup.as_ref().is_some_and(|t| t.slug != slug) {
            return None;
        }
        Some(lookup.map(Arc::new))
    }

    async fn write_redis(&self, slug: &Slug, found: &Lookup) {
        let Some(redis) = &self.redis else { return };
        let (key, value) = (self.redis_key(slug.as_str()), self.seal_entry(slug.as_str(), found));
        redis
            .run("tenant_cache", |mut conn| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("EX")
                    .arg(REDIS_TTL.as_secs())
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await;
    }

    async fn read_database(&self, slug: &Slug) -> Result<Lookup, ApiError> {
        let row = directory::tenant_by_slug(&self.control, slug.as_str()).await?;
        row.map(|r| Tenant::from_row(r).map(Arc::new)).transpose()
    }

    /// Forgets every cached lookup in this process.
    pub fn evict_all(&self) {
        self.cache.invalidate_all();
    }

    /// Forgets a slug here and in Redis (on a change published by control-api); false when
    /// Redis did not take it.
    pub async fn evict(&self, slug: &str) -> bool {
        self.cache.invalidate(slug);
        let Some(redis) = &self.redis else { return true };
        let key = self.redis_key(slug);
        redis
            .run(
                "tenant_cache",
                |mut conn| async move { redis::cmd("DEL").arg(key).query_async::<i64>(&mut conn).await },
            )
            .await
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::config::FromEnv as _;

    fn resolver(base: Option<&str>) -> Resolver {
        let pool = sqlx::postgres::PgPoolOptions::new().connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
        let key = EncryptionKey::from_bytes([9; 32]);
        Resolver::new(pool, None, "t:", base.map(|b| BaseDomain::from_env(b).unwrap()), Duration::from_secs(5), key)
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        map
    }

    #[tokio::test]
    async fn slugs_come_from_the_subdomain_then_the_header() {
        let r = resolver(Some("helpdeskly.example"));
        let slug = |h: &[(&str, &str)]| r.slug_of(&headers(h)).map(|s| s.as_str().to_owned());
        assert_eq!(slug(&[("host", "acme.helpdeskly.example")]).unwrap(), "acme");
        assert_eq!(slug(&[("host", "ACME.helpdeskly.example:8443")]).unwrap(), "acme");
        assert_eq!(slug(&[("host", "helpdeskly.example"), ("x-tenant-slug", "beta")]).unwrap(), "beta");
        assert_eq!(slug(&[("host", "a.b.helpdeskly.example"), ("x-tenant-slug", "beta")]).unwrap(), "beta");
        assert_eq!(slug(&[("host", "acme.evil.example"), ("x-tenant-slug", "beta")]).unwrap(), "beta");
        assert_eq!(
            slug(&[("host", "acme.helpdeskly.example"), ("x-tenant-slug", "beta")]).unwrap(),
            "acme",
            "the subdomain wins"
        );
        assert_eq!(slug(&[]).unwrap_err().status(), StatusCode::BAD_REQUEST);
        for bad in ["Acme", "a", "acme;drop", "-acme", &"a".repeat(64)] {
            assert_eq!(slug(&[("x-tenant-slug", bad)]).unwrap_err().status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let no_base = resolver(None);
        assert_eq!(
            no_base
                .slug_of(&headers(&[("host", "acme.helpdeskly.example"), ("x-tenant-slug", "beta")]))
                .unwrap()
                .as_str(),
            "beta"
        );
    }
}
