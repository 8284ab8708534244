//! `search`: one user who belongs to 50 channels searches the big dataset for single words,
//! newest first, a page of 60.

use super::Ctx;
use crate::api::{Api, http_client};
use crate::server::Server;
use crate::stats::{Latency, write_report};
use crate::words::{Rng, VOCABULARY, word};
use serde_json::{Value, json};
use std::time::Instant;

pub struct Opts {
    pub queries: usize,
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let ds = ctx.big().await?;
    let data = ctx.run_copy(&ds, "search")?;
    let server = Server::start(&ctx.conclave, &data).await?;
    let result = measure(ctx, o, &ds, &server).await;
    server.stop().await;
    result
}

async fn measure(ctx: &Ctx, o: &Opts, ds: &crate::dataset::Dataset, server: &Server) -> Result<Value, String> {
    let user = &ds.users[0];
    let api = Api::new(http_client(None), &server.url, &user.token);
    let path = format!("/teams/{}/posts/search", ds.team_id);
    let mut rng = Rng::new(99);
    let body = |w: String| json!({"terms": w, "is_or_search": false, "page": 0, "per_page": 60});
    // Warm the page cache and statement caches as a running server would be.
    for _ in 0..20 {
        api.post(&path, &body(word(rng.below(VOCABULARY)))).await?;
    }
    let mut lat = Latency::default();
    let (mut errors, mut hits) = (0u64, 0u64);
    let t0 = Instant::now();
    for _ in 0..o.queries {
        let started = Instant::now();
        let r = api.post(&path, &body(word(rng.below(VOCABULARY)))).await?;
        let d = started.elapsed();
        if r.status == 200 {
            lat.record(d);
            hits += r.body.get("order").and_then(Value::as_array).map(|a| a.len() as u64).unwrap_or(0);
        } else {
            errors += 1;
        }
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let s = lat.summary();
    let per_query = if o.queries > 0 { hits as f64 / o.queries as f64 } else { 0.0 };
    println!(
        "search: {} queries over {} posts ({} channels readable): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.1} results/query, errors {errors}",
        o.queries,
        ds.spec.posts,
        user.channels.len(),
        s.p50_ms,
        s.p99_ms,
        s.max_ms,
        per_query
    );
    let report = json!({
        "scenario": "search",
        "posts": ds.spec.posts,
        "channels_readable": user.channels.len(),
        "queries": o.queries,
        "per_page": 60,
        "results_per_query": per_query,
        "errors": errors,
        "duration_s": elapsed,
        "latency": s,
    });
    write_report(&ctx.reports, "search", &report)?;
    Ok(report)
}
