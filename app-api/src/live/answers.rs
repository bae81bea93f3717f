//! Answers kept: the body of a versioned read (one ticket, a page of tickets, of search results
//! or of a thread) kept in this replica's memory under the tenant's change version read before
//! its query, the caller and the address (`versions`), so the same read by the same person that
//! finds nothing changed is answered without a statement, a tenant connection or serialising
//! again.
//!
//! An answer is served while the tenant's version is the one it was kept under and until what
//! time alone changes in it (`versions::Timed`): a badge's next turn, the tag's bucket for what
//! moves all the time, `versions::LONGEST_LIFE` (5 min) at most. How stale that can be is listed
//! in `versions`. Each answer is kept for the person who asked and served to nobody else; the
//! request is authenticated (the session's revocation included) before it is looked up.
//!
//! The memory is bounded by `ANSWER_CACHE_MB` (64; 0 keeps nothing), the least recently used
//! answers dropped first.

use std::time::{Duration, Instant};

use bytes::Bytes;
use prometheus::{IntCounterVec, IntGauge, Opts, Registry};
use uuid::Uuid;

/// Where an answer is kept: the tenant, its change version, and the caller with the address
/// (the first half of their digest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnswerKey {
    pub tenant: Uuid,
    pub version: u64,
    pub reader: [u8; 16],
}

/// An answer and the instant it stops being served.
#[derive(Clone)]
struct CachedAnswer {
    body: Bytes,
    until: Instant,
}

/// The answers of one replica.
pub struct Answers {
    kept: Option<shared::kept::Kept<AnswerKey, CachedAnswer>>,
    lookups: IntCounterVec,
    bytes: IntGauge,
}

impl Answers {
    /// Keeps at most `max_bytes` of answers (0: none), each at most `life`.
    pub fn new(max_bytes: u64, life: Duration, registry: &Registry) -> Self {
        let kept = (max_bytes > 0).then(|| {
            shared::kept::weighed(max_bytes, life, |_: &AnswerKey, kept: &CachedAnswer| {
                u32::try_from(kept.body.len() + 96).unwrap_or(u32::MAX)
            })
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

    /// The answer kept under `key`, if it is still to be served.
    pub fn get(&self, key: &AnswerKey) -> Option<Bytes> {
        let cache = self.kept.as_ref()?;
        let found = cache.get(key).filter(|kept| Instant::now() < kept.until).map(|kept| kept.body);
        self.lookups.with_label_values(&[if found.is_some() { "hit" } else { "miss" }]).inc();
        found
    }

    /// Lookups so far: (found, not found).
    pub fn lookups(&self) -> (u64, u64) {
        (self.lookups.with_label_values(&["hit"]).get(), self.lookups.with_label_values(&["miss"]).get())
    }

    /// Keeps `body` under `key` until `until` (nothing when that has passed).
    pub fn keep(&self, key: AnswerKey, body: Bytes, until: Instant) {
        let Some(cache) = &self.kept else { return };
        if Instant::now() < until {
            cache.insert(key, CachedAnswer { body, until });
            self.bytes.set(i64::try_from(cache.weighted_size()).unwrap_or(i64::MAX));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tenant: Uuid, version: u64) -> AnswerKey {
        AnswerKey { tenant, version, reader: [7; 16] }
    }

    #[test]
    fn an_answer_is_found_under_its_tenant_version_and_reader_only_and_nothing_is_kept_without_room() {
        let answers = Answers::new(1 << 20, Duration::from_secs(30), &Registry::new());
        let (tenant, other) = (Uuid::new_v4(), Uuid::new_v4());
        let later = Instant::now() + Duration::from_secs(30);
        answers.keep(key(tenant, 1), Bytes::from_static(b"{}"), later);
        assert_eq!(answers.get(&key(tenant, 1)).as_deref(), Some(b"{}".as_slice()));
        assert!(answers.get(&key(other, 1)).is_none(), "another tenant");
        assert!(answers.get(&key(tenant, 2)).is_none(), "another version");
        assert!(answers.get(&AnswerKey { reader: [8; 16], ..key(tenant, 1) }).is_none(), "another reader");

        let none = Answers::new(0, Duration::from_secs(30), &Registry::new());
        none.keep(key(tenant, 1), Bytes::from_static(b"{}"), later);
        assert!(none.get(&key(tenant, 1)).is_none());
    }

    #[test]
    fn an_answer_is_not_served_past_its_instant() {
        let answers = Answers::new(1 << 20, Duration::from_secs(30), &Registry::new());
        let tenant = Uuid::new_v4();
        answers.keep(key(tenant, 1), Bytes::from_static(b"{}"), Instant::now());
        assert!(answers.get(&key(tenant, 1)).is_none(), "kept with no time left");
        answers.keep(key(tenant, 2), Bytes::from_static(b"{}"), Instant::now() + Duration::from_millis(20));
        assert!(answers.get(&key(tenant, 2)).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(answers.get(&key(tenant, 2)).is_none(), "its instant passed");
    }
}
