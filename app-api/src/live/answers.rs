//! Answers kept: the body of a versioned read (one ticket, a page of tickets or of search
//! results) kept in this replica's memory under its revalidation tag (`versions`), so the same
//! read by the same person that finds nothing changed is answered without a statement, a tenant
//! connection or serialising again.
//!
//! The tag names the tenant's change version read before the query, the caller, the address
//! and a 30-second bucket: a kept answer is served only while a 304 would be, so it is exactly
//! as stale as a 304 can be (the bounds are listed in `versions`: never for a change through
//! this replica or one whose event reached it, at most `KEPT_FOR` (1 s) for another replica's
//! change that raised no event, at most the bucket for what changes without app-api writing).
//! Each answer is kept for the person who asked and served to nobody else; the request is
//! authenticated (the session's revocation included) before it is looked up.
//!
//! The memory is bounded by `ANSWER_CACHE_MB` (64; 0 keeps nothing), the least recently used
//! answers dropped first, and each answer lives at most the bucket.

use std::time::Duration;

use axum::http::HeaderValue;
use bytes::Bytes;
use prometheus::{IntCounterVec, IntGauge, Opts, Registry};
use uuid::Uuid;

/// The answers of one replica.
pub struct Answers {
    kept: Option<moka::sync::Cache<(Uuid, HeaderValue), Bytes>>,
    lookups: IntCounterVec,
    bytes: IntGauge,
}

impl Answers {
    /// Keeps at most `max_bytes` of answers (0: none), each at most `life` (its tag's bucket).
    pub fn new(max_bytes: u64, life: Duration, registry: &Registry) -> Self {
        let kept = (max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &(Uuid, HeaderValue), body: &Bytes| {
                    u32::try_from(body.len() + key.1.len() + 64).unwrap_or(u32::MAX)
                })
                .time_to_live(life)
                .build()
        });
        let lookups = IntCounterVec::new(
            Opts::new("answers_kept_lookups_total", "Versioned reads looked up among the answers kept, by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let bytes =
            IntGauge::new("answers_kept_bytes", "Bytes of answers kept in memory (approximate)").expect("valid metric");
        for collector in [Box::new(lookups.clone()) as Box<dyn prometheus::core::Collector>, Box::new(bytes.clone())] {
            registry.register(collector).expect("registered once");
        }
        Self { kept, lookups, bytes }
    }

    /// The answer kept under `tag` for `tenant`, if any.
    pub fn get(&self, tenant: Uuid, tag: &HeaderValue) -> Option<Bytes> {
        let kept = self.kept.as_ref()?;
        let found = kept.get(&(tenant, tag.clone()));
        self.lookups.with_label_values(&[if found.is_some() { "hit" } else { "miss" }]).inc();
        found
    }

    /// Lookups so far: (found, not found).
    pub fn lookups(&self) -> (u64, u64) {
        (self.lookups.with_label_values(&["hit"]).get(), self.lookups.with_label_values(&["miss"]).get())
    }

    /// Keeps `body` under `tag` for `tenant`.
    pub fn keep(&self, tenant: Uuid, tag: HeaderValue, body: Bytes) {
        if let Some(kept) = &self.kept {
            kept.insert((tenant, tag), body);
            self.bytes.set(i64::try_from(kept.weighted_size()).unwrap_or(i64::MAX));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_found_under_its_tenant_and_tag_only_and_nothing_is_kept_without_room() {
        let answers = Answers::new(1 << 20, Duration::from_secs(30), &Registry::new());
        let (tenant, other) = (Uuid::new_v4(), Uuid::new_v4());
        let tag = HeaderValue::from_static("W/\"v1.2.ab\"");
        answers.keep(tenant, tag.clone(), Bytes::from_static(b"{}"));
        assert_eq!(answers.get(tenant, &tag).as_deref(), Some(b"{}".as_slice()));
        assert!(answers.get(other, &tag).is_none(), "another tenant");
        assert!(answers.get(tenant, &HeaderValue::from_static("W/\"v2.2.ab\"")).is_none(), "another version");

        let none = Answers::new(0, Duration::from_secs(30), &Registry::new());
        none.keep(tenant, tag.clone(), Bytes::from_static(b"{}"));
        assert!(none.get(tenant, &tag).is_none());
    }
}
