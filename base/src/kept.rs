//! The one type for "kept in this process for a while": a bounded map whose entries go after a
//! fixed life (moka's concurrent cache). Every in-process cache of the platform is one of these,
//! made here, so each states its bound and its life in one place and none grows without limit.

use std::hash::Hash;
use std::time::Duration;

/// Entries kept in this process, at most `capacity` of them, each for at most its life.
pub type Kept<K, V> = moka::sync::Cache<K, V>;

/// At most `capacity` entries, each kept `life` after it was written.
pub fn kept<K, V>(capacity: u64, life: Duration) -> Kept<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    moka::sync::Cache::builder().max_capacity(capacity).time_to_live(life).build()
}

/// At most `budget` of what `weight` counts (bytes, say), each entry kept `life` after it was
/// written.
pub fn weighed<K, V>(budget: u64, life: Duration, weight: impl Fn(&K, &V) -> u32 + Send + Sync + 'static) -> Kept<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    moka::sync::Cache::builder().max_capacity(budget).weigher(weight).time_to_live(life).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_go_after_their_life() {
        let kept: Kept<u32, &str> = kept(10, Duration::from_millis(1));
        kept.insert(1, "one");
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(kept.get(&1), None);
    }

    #[test]
    fn the_bound_holds() {
        let kept: Kept<u32, u32> = kept(10, Duration::from_secs(60));
        for n in 0..1_000 {
            kept.insert(n, n);
        }
        kept.run_pending_tasks();
        assert!(kept.entry_count() <= 10, "{}", kept.entry_count());
        let heavy: Kept<u32, Vec<u8>> =
            weighed(100, Duration::from_secs(60), |_, v: &Vec<u8>| u32::try_from(v.len()).unwrap());
        for n in 0..10 {
            heavy.insert(n, vec![0; 40]);
        }
        heavy.run_pending_tasks();
        assert!(heavy.weighted_size() <= 100, "{}", heavy.weighted_size());
    }
}
