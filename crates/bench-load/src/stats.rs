//! Latency histograms (microseconds, `hdrhistogram`) and the JSON reports every scenario
//! writes to `reports/bench/<scenario>.json`.

use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A latency histogram in microseconds, from 1 µs to 10 minutes at 3 significant digits.
#[derive(Clone)]
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        Latency(Histogram::new_with_bounds(1, 600_000_000, 3).expect("static histogram bounds are valid"))
    }
}

impl Latency {
    pub fn record(&mut self, d: Duration) {
        self.record_us(d.as_micros().min(u128::from(u64::MAX)) as u64);
    }

    pub fn record_us(&mut self, us: u64) {
        self.0.saturating_record(us.max(1));
    }

    pub fn merge(&mut self, other: &Latency) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    /// Percentiles in milliseconds, and the points the plot draws.
    pub fn summary(&self) -> LatencySummary {
        let ms = |us: u64| us as f64 / 1000.0;
        let empty = self.0.is_empty();
        let q = |p: f64| if empty { 0.0 } else { ms(self.0.value_at_quantile(p)) };
        LatencySummary {
            count: self.0.len(),
            mean_ms: if empty { 0.0 } else { self.0.mean() / 1000.0 },
            p50_ms: q(0.50),
            p90_ms: q(0.90),
            p99_ms: q(0.99),
            p999_ms: q(0.999),
            max_ms: if empty { 0.0 } else { ms(self.0.max()) },
            curve: PLOT_QUANTILES.iter().map(|&p| (p, q(p))).collect(),
        }
    }
}

/// Quantiles written for the percentile plot.
const PLOT_QUANTILES: &[f64] = &[0.0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1.0];

#[derive(Clone, Debug, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// (quantile, milliseconds) pairs for the plot.
    pub curve: Vec<(f64, f64)>,
}

/// Writes `value` as pretty JSON to `<dir>/<name>.json`.
pub fn write_report(dir: &Path, name: &str, value: &Value) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Reads a report written by [`write_report`], if present.
pub fn read_report(dir: &Path, name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

/// The median of some figures (the middle one; the lower middle for an even count).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[(v.len() - 1) / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_out_in_milliseconds() {
        let mut l = Latency::default();
        for us in 1..=1000u64 {
            l.record_us(us * 1000);
        }
        let s = l.summary();
        assert_eq!(s.count, 1000);
        assert!((s.p50_ms - 500.0).abs() < 1.0, "{}", s.p50_ms);
        assert!((s.p99_ms - 990.0).abs() < 1.5, "{}", s.p99_ms);
        assert!((s.max_ms - 1000.0).abs() < 1.5, "{}", s.max_ms);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
    }
}
