//! Percentiles of a set of durations.

use std::time::Duration;

pub struct Summary {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
}

/// Nearest-rank percentiles.
pub fn summarize(mut samples: Vec<Duration>) -> Summary {
    assert!(!samples.is_empty(), "no samples");
    samples.sort_unstable();
    let rank = |percent: usize| {
        let index = (percent * samples.len()).div_ceil(100);
        samples[index.clamp(1, samples.len()) - 1]
    };
    let total: Duration = samples.iter().sum();
    Summary {
        count: samples.len(),
        p50: rank(50),
        p95: rank(95),
        p99: rank(99),
        max: *samples.last().expect("not empty"),
        mean: total / u32::try_from(samples.len()).expect("few samples"),
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "n={} p50={:.1}ms p95={:.1}ms p99={:.1}ms max={:.1}ms mean={:.1}ms",
            self.count,
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max),
            ms(self.mean)
        )
    }
}
