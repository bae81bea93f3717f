//! Prometheus metrics: one registry per service instance (so tests can run several in one
//! process), the HTTP request metrics every service records, and the `/metrics` handler.
//!
//! Labels are bounded by construction: matched route templates, a fixed set of methods and
//! status classes. Never a raw path, tenant or user.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

/// Makes metrics and registers each in `registry` once (a name registered twice is a bug of
/// the code, so it panics at start, never later).
#[derive(Clone, Copy)]
pub struct Registrar<'a>(pub &'a Registry);

impl Registrar<'_> {
    fn register<M: prometheus::core::Collector + Clone + 'static>(self, metric: M) -> M {
        self.0.register(Box::new(metric.clone())).expect("registered once");
        metric
    }

    pub fn counter(self, name: &str, help: &str) -> IntCounter {
        self.register(IntCounter::new(name, help).expect("valid metric"))
    }

    pub fn counter_vec(self, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
        self.register(IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric"))
    }

    pub fn gauge(self, name: &str, help: &str) -> IntGauge {
        self.register(IntGauge::new(name, help).expect("valid metric"))
    }

    /// A gauge of fractional values (an age in seconds).
    pub fn float_gauge(self, name: &str, help: &str) -> Gauge {
        self.register(Gauge::new(name, help).expect("valid metric"))
    }

    pub fn gauge_vec(self, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
        self.register(IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric"))
    }

    pub fn float_gauge_vec(self, name: &str, help: &str, labels: &[&str]) -> GaugeVec {
        self.register(GaugeVec::new(Opts::new(name, help), labels).expect("valid metric"))
    }

    pub fn histogram(self, name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
        self.register(Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets)).expect("valid metric"))
    }
}

/// The registry and the metrics shared by every service.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http: Arc<HttpMetrics>,
}

struct HttpMetrics {
    requests: IntCounterVec,
    duration: HistogramVec,
    in_flight: IntGauge,
}

const LABELS: [&str; 3] = ["method", "route", "status_class"];

impl Metrics {
    /// A fresh registry with process metrics and the HTTP request metrics.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered, by method, matched route and status class"),
            &LABELS,
        )
        .expect("valid metric");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency, by method, matched route and status class",
            )
            .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &LABELS,
        )
        .expect("valid metric");
        let in_flight = IntGauge::new("http_requests_in_flight", "HTTP requests received and not yet answered")
            .expect("valid metric");
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(duration.clone())).expect("registered once");
        registry.register(Box::new(in_flight.clone())).expect("registered once");
        #[cfg(target_os = "linux")]
        registry
            .register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))
            .expect("registered once");
        Self { registry, http: Arc::new(HttpMetrics { requests, duration, in_flight }) }
    }

    /// Where services register their own metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Requests being handled now (slow clients show here).
    pub fn requests_in_flight(&self) -> i64 {
        self.http.in_flight.get()
    }

    /// Counts a request in flight until the guard drops (answered, or abandoned by its client).
    pub(crate) fn request_started(&self) -> InFlight {
        self.http.in_flight.inc();
        InFlight(self.http.in_flight.clone())
    }

    pub(crate) fn observe_request(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let labels = [method_label(method), route, status_class(status)];
        self.http.requests.with_label_values(&labels).inc();
        self.http.duration.with_label_values(&labels).observe(seconds);
    }

    /// The text exposition of everything registered.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf).expect("text encoding cannot fail");
        String::from_utf8(buf).expect("text format is UTF-8")
    }
}

pub(crate) struct InFlight(IntGauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Prometheus text exposition of this instance's metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain; version=0.0.4")))]
pub async fn get_metrics(State(metrics): State<Metrics>) -> Response {
    let mut response = metrics.render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_bounded() {
        let metrics = Metrics::new();
        metrics.observe_request(&Method::from_bytes(b"BREW").unwrap(), "/v1/tickets/{id}", 418, 0.01);
        let text = metrics.render();
        assert!(
            text.contains(r#"http_requests_total{method="OTHER",route="/v1/tickets/{id}",status_class="4xx"} 1"#),
            "{text}"
        );
        assert!(text.contains("process_resident_memory_bytes"));
    }
}
