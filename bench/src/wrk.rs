//! Load from wrk: a lean HTTP client in C, in its own process on loopback, as `pgbench` is on
//! the other side of the comparison. An in-process client shares the runtime and the two cores
//! with the replica it measures; wrk costs far less per request, so its rate says more about
//! the server.

use std::fmt::Write as _;
use std::time::Duration;

use crate::app::Load;
use crate::stats::Summary;

/// What each request asks for.
pub enum Target {
    Path(String),
    /// `/v1/tickets/{id}` with an id drawn uniformly from the range.
    RandomTicket {
        first: i64,
        last: i64,
    },
}

/// `concurrency` connections on (at most) two threads for `duration`, with `headers` on every request.
/// A non-2xx answer counts as an error.
pub fn run(
    base: &str,
    target: &Target,
    headers: &[(&str, &str)],
    concurrency: usize,
    duration: Duration,
) -> Result<Load, String> {
    let mut command = std::process::Command::new("wrk");
    let threads = concurrency.clamp(1, 2).to_string();
    let (connections, seconds) = (concurrency.to_string(), format!("{}s", duration.as_secs()));
    command.args(["--latency", "-t", &threads, "-c", &connections, "-d", &seconds]);
    for (name, value) in headers {
        command.args(["-H", &format!("{name}: {value}")]);
    }
    let script;
    let url = match target {
        Target::Path(path) => format!("{base}{path}"),
        Target::RandomTicket { first, last } => {
            script = std::env::temp_dir().join(format!("helpdeskly-wrk-{}.lua", std::process::id()));
            let mut lua = String::new();
            let _ = writeln!(lua, "math.randomseed(os.time())");
            let _ = writeln!(lua, "request = function()");
            let _ = writeln!(lua, "  return wrk.format(\"GET\", \"/v1/tickets/\" .. math.random({first}, {last}))");
            let _ = writeln!(lua, "end");
            std::fs::write(&script, lua).map_err(|e| format!("wrk script: {e}"))?;
            command.arg("-s").arg(&script);
            base.to_owned()
        }
    };
    let output = command.arg(&url).output().map_err(|e| format!("wrk: {e} (apt-get install wrk)"))?;
    if let Target::RandomTicket { .. } = target {
        let _ = std::fs::remove_file(std::env::temp_dir().join(format!("helpdeskly-wrk-{}.lua", std::process::id())));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("wrk failed: {text}{}", String::from_utf8_lossy(&output.stderr)));
    }
    parse(&text, duration)
}

/// Reads wrk's `--latency` report.
fn parse(text: &str, duration: Duration) -> Result<Load, String> {
    let value_after = |label: &str| -> Option<&str> {
        text.lines().map(str::trim).find_map(|line| line.strip_prefix(label)).map(str::trim)
    };
    let percentile = |label: &str| value_after(label).and_then(|v| v.split_whitespace().next()).and_then(duration_of);
    let requests: f64 = text
        .lines()
        .find(|l| l.contains(" requests in "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no request count in wrk's report: {text}"))?;
    let errors: usize = value_after("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0);
    let socket_errors = value_after("Socket errors:").map(ToOwned::to_owned);
    let (p50, p99) = (percentile("50%"), percentile("99%"));
    let mean = value_after("Latency").and_then(|v| v.split_whitespace().next()).and_then(duration_of);
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "counts")]
    let ok = (requests as usize).saturating_sub(errors);
    #[allow(clippy::cast_precision_loss, reason = "counts")]
    let rate = ok as f64 / duration.as_secs_f64();
    let latency = match (p50, p99, mean) {
        (Some(p50), Some(p99), Some(mean)) => Some(Summary { count: ok, p50, p95: p99, p99, max: p99, mean }),
        _ => None,
    };
    Ok(Load { rate, latency, errors, first_error: socket_errors.map(|s| format!("socket errors: {s}")) })
}

/// `3.21ms`, `850.00us`, `1.02s`.
fn duration_of(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 10s test @ http://127.0.0.1:40000
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms  640.00us  21.01ms   80.00%
    Req/Sec     7.71k   400.00     8.50k    70.00%
  Latency Distribution
     50%    1.98ms
     75%    2.40ms
     90%    2.90ms
     99%    4.50ms
  153400 requests in 10.00s, 120.00MB read
  Non-2xx or 3xx responses: 400
Requests/sec:  15340.00
Transfer/sec:     12.00MB
";

    #[test]
    fn reads_the_report() {
        let load = parse(REPORT, Duration::from_secs(10)).unwrap();
        assert!((load.rate - 15_300.0).abs() < 0.5, "{}", load.rate);
        assert_eq!(load.errors, 400);
        let latency = load.latency.unwrap();
        assert_eq!(latency.p50, Duration::from_micros(1980));
        assert_eq!(latency.p99, Duration::from_micros(4500));
        assert_eq!(latency.mean, Duration::from_micros(2100));
    }

    #[test]
    fn reads_units() {
        assert_eq!(duration_of("850.00us"), Some(Duration::from_micros(850)));
        assert_eq!(duration_of("1.50s"), Some(Duration::from_millis(1500)));
        assert_eq!(duration_of("ms"), None);
    }
}
