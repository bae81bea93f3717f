//! Percentiles of a set of durations, and the process's peak resident memory during a run.

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

/// The mean of a few measurements (rounds of a run) and the half-width of its 95% confidence
/// interval (Student's t, the measurements taken as independent), as `mean ± half (n=k)`; rates
/// under 10 with two decimals.
pub fn mean_interval(values: &[f64]) -> String {
    assert!(!values.is_empty(), "no values");
    #[allow(clippy::cast_precision_loss, reason = "a few rounds")]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let decimals = if mean.abs() < 10.0 { 2 } else { 0 };
    if values.len() < 2 {
        return format!("{mean:.decimals$} (n=1)");
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = t_95(values.len() - 1) * (variance / n).sqrt();
    format!("{mean:.decimals$} ± {half:.decimals$} (n={})", values.len())
}

/// Student's t for a two-sided 95% interval with `df` degrees of freedom (the next lower
/// tabled value past 10: the interval errs wide).
fn t_95(df: usize) -> f64 {
    const TABLE: [f64; 10] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
    match df {
        0 => f64::INFINITY,
        1..=10 => TABLE[df - 1],
        11..=19 => 2.228,
        20..=29 => 2.086,
        30..=119 => 2.042,
        _ => 1.96,
    }
}

/// The process's resident memory, sampled every 5 ms from `start` until `stop`.
pub struct PeakMemory {
    baseline_kb: u64,
    peak_kb: std::sync::Arc<std::sync::atomic::AtomicU64>,
    sampler: tokio::task::JoinHandle<()>,
}

impl PeakMemory {
    pub fn start() -> Self {
        let baseline_kb = resident_kb();
        let peak_kb = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(baseline_kb));
        let sampler = {
            let peak = std::sync::Arc::clone(&peak_kb);
            tokio::spawn(async move {
                loop {
                    peak.fetch_max(resident_kb(), std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        };
        Self { baseline_kb, peak_kb, sampler }
    }

    /// Resident memory when sampling started, and the peak above it, in KiB.
    pub fn stop(self) -> (u64, u64) {
        self.sampler.abort();
        let peak = self.peak_kb.load(std::sync::atomic::Ordering::Relaxed);
        (self.baseline_kb, peak.saturating_sub(self.baseline_kb))
    }
}

/// `VmRSS` of this process, in KiB.
pub fn resident_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}
