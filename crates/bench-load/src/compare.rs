//! `compare`: ingest and delivery against Conclave and Synapse in one run, alternating, a
//! number of times each; medians and ratios go to `reports/bench/compare.json`.

use crate::matrix;
use crate::scenarios::{Ctx, delivery, ingest};
use crate::stats::{median, write_report};
use serde_json::{Value, json};

pub struct Opts {
    pub synapse_url: String,
    pub synapse_secret: String,
    pub runs: usize,
    pub ingest_secs: f64,
    pub delivery_secs: f64,
    pub delivery_clients: usize,
    pub delivery_rate: f64,
}

fn fig(v: &Value, pointer: &str) -> f64 {
    v.pointer(pointer).and_then(Value::as_f64).unwrap_or(0.0)
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let url = o.synapse_url.trim_end_matches('/');
    // A fresh name prefix per run, so a reused Synapse never sees a taken user name.
    let tag = &domain::ids::new_id()[..6];
    eprintln!("registering {} Synapse users …", 8 + o.delivery_clients);
    let ingest_users = matrix::register_many(url, &o.synapse_secret, &format!("ing{tag}"), 8).await?;
    let delivery_users = matrix::register_many(url, &o.synapse_secret, &format!("dlv{tag}"), o.delivery_clients).await?;
    let delivery_name = format!("delivery-{}", o.delivery_clients);
    let mut runs = Vec::new();
    for i in 1..=o.runs.max(1) {
        println!("== comparison run {i} of {} ==", o.runs.max(1));
        let c_ing = ingest::run(ctx, &ingest::Opts { clients: 8, secs: o.ingest_secs }).await?;
        let s_ing = matrix::ingest(&ingest_users, o.ingest_secs).await?;
        let d = delivery::Opts { clients: o.delivery_clients, rate: o.delivery_rate, secs: o.delivery_secs, name: delivery_name.clone() };
        let c_del = delivery::run(ctx, &d).await?;
        let s_del = matrix::delivery(&delivery_users, o.delivery_rate, o.delivery_secs).await?;
        runs.push(json!({"conclave_ingest": c_ing, "synapse_ingest": s_ing, "conclave_delivery": c_del, "synapse_delivery": s_del}));
    }
    let col = |key: &str, pointer: &str| -> Vec<f64> { runs.iter().map(|r| fig(&r[key], pointer)).collect() };
    let c_rate = median(&col("conclave_ingest", "/posts_per_s"));
    let s_rate = median(&col("synapse_ingest", "/posts_per_s"));
    let c_ing_p99 = median(&col("conclave_ingest", "/latency/p99_ms"));
    let s_ing_p99 = median(&col("synapse_ingest", "/latency/p99_ms"));
    let c_p99 = median(&col("conclave_delivery", "/latency/p99_ms"));
    let s_p99 = median(&col("synapse_delivery", "/latency/p99_ms"));
    let c_p50 = median(&col("conclave_delivery", "/latency/p50_ms"));
    let s_p50 = median(&col("synapse_delivery", "/latency/p50_ms"));
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let summary = json!({
        "runs": runs.len(),
        "ingest": {"conclave_posts_per_s": c_rate, "synapse_posts_per_s": s_rate, "ratio": ratio(c_rate, s_rate),
                   "conclave_p99_ms": c_ing_p99, "synapse_p99_ms": s_ing_p99},
        "delivery": {"clients": o.delivery_clients, "rate_per_s": o.delivery_rate,
                     "conclave_p50_ms": c_p50, "synapse_p50_ms": s_p50, "conclave_p99_ms": c_p99, "synapse_p99_ms": s_p99,
                     "p99_ratio": ratio(s_p99, c_p99), "p50_ratio": ratio(s_p50, c_p50)},
    });
    println!();
    println!("comparison (medians of {} alternating runs):", runs.len());
    println!("  ingest:   conclave {c_rate:.0} posts/s, synapse {s_rate:.1} msg/s → {:.0}×", ratio(c_rate, s_rate));
    println!("  delivery: conclave p99 {c_p99:.2} ms, synapse p99 {s_p99:.1} ms → {:.0}× lower", ratio(s_p99, c_p99));
    let report = json!({"scenario": "compare", "summary": summary, "runs": runs});
    write_report(&ctx.reports, "compare", &report)?;
    Ok(report)
}
