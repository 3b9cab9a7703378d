//! Prometheus metrics: requests by route and status, request durations, process memory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default, Debug)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counters kept in memory since start.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    durations: Mutex<BTreeMap<String, Histogram>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            requests: Mutex::new(BTreeMap::new()),
            durations: Mutex::new(BTreeMap::new()),
        }
    }
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut d) = self.durations.lock() {
            let h = d.entry(route.to_owned()).or_default();
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    /// The Prometheus text exposition.
    #[must_use]
    pub fn render(&self, db_up: bool, backend: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP humas_up Whether Humas is serving.\n# TYPE humas_up gauge\nhumas_up 1"
        );
        let _ = writeln!(
            out,
            "# HELP humas_database_up Whether the database answered.\n# TYPE humas_database_up gauge\nhumas_database_up{{backend=\"{backend}\"}} {}",
            u8::from(db_up)
        );
        let _ = writeln!(
            out,
            "# HELP humas_uptime_seconds Seconds since start.\n# TYPE humas_uptime_seconds gauge\nhumas_uptime_seconds {:.0}",
            self.started.elapsed().as_secs_f64()
        );
        if let Some(rss) = resident_memory_bytes() {
            let _ = writeln!(
                out,
                "# HELP process_resident_memory_bytes Resident memory.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {rss}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP humas_http_requests_total HTTP requests by route and status.\n# TYPE humas_http_requests_total counter"
        );
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "humas_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP humas_http_request_duration_seconds Request duration by route.\n# TYPE humas_http_request_duration_seconds histogram"
        );
        if let Ok(d) = self.durations.lock() {
            for (route, h) in d.iter() {
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "humas_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "humas_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "humas_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "humas_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        out
    }
}

/// Linux only; elsewhere the metric is left out.
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Records every request under its route pattern (never the raw path, which would let anyone
/// create unbounded label values).
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let resp = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    state
        .metrics
        .observe(&method, &route, resp.status().as_u16(), secs);
    tracing::debug!(%method, %route, status = resp.status().as_u16(), ms = secs * 1000.0, "request");
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_counts_requests() {
        let m = Metrics::default();
        m.observe("GET", "/opds", 200, 0.003);
        m.observe("GET", "/opds", 200, 0.2);
        let text = m.render(true, "sqlite");
        assert!(
            text.contains(
                "humas_http_requests_total{method=\"GET\",route=\"/opds\",status=\"200\"} 2"
            ),
            "{text}"
        );
        assert!(text.contains(
            "humas_http_request_duration_seconds_bucket{route=\"/opds\",le=\"0.005\"} 1"
        ));
        assert!(text.contains("humas_database_up{backend=\"sqlite\"} 1"));
    }
}
