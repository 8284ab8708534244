//! The benchmark scenarios. Each starts its own server on a fresh copy of a cached dataset,
//! prints its figures and writes them to `reports/bench/<name>.json`.

pub mod capture;
pub mod coldstart;
pub mod delivery;
pub mod idle;
pub mod ingest;
pub mod mix;
pub mod search;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where things are, shared by every scenario.
#[derive(Clone)]
pub struct Ctx {
    /// The `conclave` binary under test.
    pub conclave: PathBuf,
    /// Datasets and run directories.
    pub work: PathBuf,
    /// Where the JSON reports go.
    pub reports: PathBuf,
    /// The 1M-post dataset's shape.
    pub big: crate::dataset::Spec,
    /// The one-channel dataset's user count.
    pub small_users: usize,
}

impl Ctx {
    /// A run directory for one scenario, holding a fresh copy of `dataset`'s data.
    pub fn run_copy(&self, dataset: &crate::dataset::Dataset, run: &str) -> Result<PathBuf, String> {
        crate::server::fresh_copy(&dataset.data_dir, &self.work.join("runs").join(run).join("data"))
    }

    pub async fn small(&self) -> Result<crate::dataset::Dataset, String> {
        crate::dataset::prepare(&self.work, &self.conclave, &crate::dataset::Spec::small(self.small_users)).await
    }

    pub async fn big(&self) -> Result<crate::dataset::Dataset, String> {
        crate::dataset::prepare(&self.work, &self.conclave, &self.big).await
    }
}

/// Milliseconds since a fixed start, as the nanosecond stamp put into post messages so that
/// receivers in the same process can compute post→delivery latency.
pub fn stamp(t0: Instant) -> u128 {
    t0.elapsed().as_nanos()
}

/// The marker put in bench messages: `bnch<seq>x<nanos since t0>`.
pub fn marker(seq: u64, t0: Instant) -> String {
    format!("bnch{seq}x{}", stamp(t0))
}

/// Finds a marker in a frame and returns `(seq, nanos)`.
pub fn parse_marker(text: &str) -> Option<(u64, u128)> {
    let at = text.find("bnch")? + 4;
    let rest = &text[at..];
    let x = rest.find('x')?;
    let seq: u64 = rest[..x].parse().ok()?;
    let digits: &str = &rest[x + 1..];
    let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
    Some((seq, digits[..end].parse().ok()?))
}

/// Latency from a marker's stamp to now.
pub fn since_stamp(t0: Instant, nanos: u128) -> Duration {
    let now = t0.elapsed().as_nanos();
    Duration::from_nanos(now.saturating_sub(nanos).min(u128::from(u64::MAX)) as u64)
}

/// Runs `f` for each item with at most `limit` running at once, in order of the results.
pub async fn bounded<T, F, Fut, R>(items: Vec<T>, limit: usize, f: F) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = R>,
{
    use futures_util::StreamExt;
    futures_util::stream::iter(items.into_iter().map(f)).buffered(limit.max(1)).collect().await
}

/// Megabytes for printing.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// What a flood of posts achieved.
pub struct Flood {
    pub latency: crate::stats::Latency,
    pub posts: u64,
    pub errors: u64,
    pub secs: f64,
}

/// One keep-alive client per token posts `message(client, n)` (`n` counting up from `start`)
/// into `channel` as fast as it is acknowledged, until `secs` have passed.
pub async fn flood(url: &str, tokens: &[String], channel: &str, secs: f64, start: u64, message: fn(usize, u64) -> String) -> Result<Flood, String> {
    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs_f64(secs);
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let api = crate::api::Api::new(crate::api::http_client(None), url, token);
            let channel = channel.to_owned();
            tokio::spawn(async move {
                let (mut lat, mut ok, mut errors, mut n) = (crate::stats::Latency::default(), 0u64, 0u64, start);
                while Instant::now() < deadline {
                    n += 1;
                    let started = Instant::now();
                    match api.create_post(&channel, &message(i, n), &domain::ids::new_id()).await {
                        Ok(r) if r.status == 201 => {
                            lat.record(started.elapsed());
                            ok += 1;
                        }
                        _ => errors += 1,
                    }
                }
                (lat, ok, errors)
            })
        })
        .collect();
    let mut out = Flood { latency: crate::stats::Latency::default(), posts: 0, errors: 0, secs: 0.0 };
    for t in tasks {
        let (l, ok, e) = t.await.map_err(|e| e.to_string())?;
        out.latency.merge(&l);
        out.posts += ok;
        out.errors += e;
    }
    out.secs = t0.elapsed().as_secs_f64();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_inside_json_strings() {
        let t0 = Instant::now();
        let m = marker(42, t0);
        let frame = format!(r#"{{"event":"posted","data":{{"post":"{{\"message\":\"{m}\"}}"}}}}"#);
        let (seq, _) = parse_marker(&frame).unwrap();
        assert_eq!(seq, 42);
        assert!(parse_marker("no marker here").is_none());
    }
}
