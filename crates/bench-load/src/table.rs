//! The summary table: every figure with its target, the measured value, whether it is met,
//! and the ratio to Synapse where the peer ran. Read from the JSON reports, so it can be
//! printed again without rerunning anything (`conclave-bench table`).

use crate::stats::{read_report, write_report};
use serde_json::{Value, json};
use std::path::Path;

/// How a figure compares with its target.
enum Goal {
    AtLeast(f64),
    AtMost(f64),
}

struct Row {
    figure: &'static str,
    target: String,
    measured: Option<f64>,
    unit: &'static str,
    goal: Goal,
    peer: Option<String>,
}

fn get(v: &Option<Value>, pointer: &str) -> Option<f64> {
    v.as_ref()?.pointer(pointer)?.as_f64()
}

fn rows(dir: &Path) -> Vec<Row> {
    let ingest = read_report(dir, "ingest");
    let d100 = read_report(dir, "delivery-100");
    let d1000 = read_report(dir, "delivery-1000");
    let idle = read_report(dir, "idle");
    let cold = read_report(dir, "coldstart");
    let search = read_report(dir, "search");
    let mix = read_report(dir, "mix");
    let cmp = read_report(dir, "compare");
    let capture = read_report(dir, "capture");
    let ingest_ratio = get(&cmp, "/summary/ingest/ratio");
    let delivery_ratio = get(&cmp, "/summary/delivery/p99_ratio");
    let ratio_text = |r: Option<f64>, what: &str| r.map(|r| format!("{r:.0}× {what}"));
    let mib = 1024.0 * 1024.0;
    let lost_and_disorder = match (get(&d1000, "/lost"), get(&d1000, "/out_of_order")) {
        (Some(a), Some(b)) => Some(a + b),
        _ => None,
    };
    vec![
        Row {
            figure: "ingest rate (8 clients)",
            target: "≥ 5,000 posts/s".into(),
            measured: get(&ingest, "/posts_per_s"),
            unit: "posts/s",
            goal: Goal::AtLeast(5000.0),
            peer: ratio_text(ingest_ratio, "Synapse"),
        },
        Row {
            figure: "ingest p99",
            target: "≤ 20 ms".into(),
            measured: get(&ingest, "/latency/p99_ms"),
            unit: "ms",
            goal: Goal::AtMost(20.0),
            peer: None,
        },
        Row {
            figure: "posting with capture (review) vs off, new indicators in every message",
            target: "≥ 90%".into(),
            measured: get(&capture, "/modes/review/ratio_to_off").map(|r| 100.0 * r),
            unit: "%",
            goal: Goal::AtLeast(90.0),
            peer: get(&capture, "/modes/off/posts_per_s").map(|s| format!("off {s:.0} posts/s")),
        },
        Row {
            figure: "posting with capture (auto-publish) vs off, new indicators in every message",
            target: "≥ 90%".into(),
            measured: get(&capture, "/modes/auto-publish/ratio_to_off").map(|r| 100.0 * r),
            unit: "%",
            goal: Goal::AtLeast(90.0),
            peer: None,
        },
        Row {
            figure: "posting with capture (review) vs off, war-room mix",
            target: "≥ 90%".into(),
            measured: get(&capture, "/war_room/modes/review/ratio_to_off").map(|r| 100.0 * r),
            unit: "%",
            goal: Goal::AtLeast(90.0),
            peer: get(&capture, "/war_room/modes/off/posts_per_s").map(|s| format!("off {s:.0} posts/s")),
        },
        Row {
            figure: "posting with capture (auto-publish) vs off, war-room mix",
            target: "≥ 90%".into(),
            measured: get(&capture, "/war_room/modes/auto-publish/ratio_to_off").map(|r| 100.0 * r),
            unit: "%",
            goal: Goal::AtLeast(90.0),
            peer: None,
        },
        Row {
            figure: "ingest vs Synapse",
            target: "≥ 100×".into(),
            measured: ingest_ratio,
            unit: "×",
            goal: Goal::AtLeast(100.0),
            peer: get(&cmp, "/summary/ingest/synapse_posts_per_s").map(|s| format!("Synapse {s:.1} msg/s")),
        },
        Row {
            figure: "delivery p99, 100 clients, 5 posts/s",
            target: "≥ 50× lower than Synapse".into(),
            measured: delivery_ratio,
            unit: "× lower",
            goal: Goal::AtLeast(50.0),
            peer: get(&cmp, "/summary/delivery/synapse_p99_ms")
                .map(|s| format!("Synapse p99 {s:.0} ms; Conclave {:.2} ms", get(&cmp, "/summary/delivery/conclave_p99_ms").unwrap_or(0.0))),
        },
        Row {
            figure: "delivery p99 (this run), 100 clients",
            target: "(figure)".into(),
            measured: get(&d100, "/latency/p99_ms"),
            unit: "ms",
            goal: Goal::AtMost(f64::INFINITY),
            peer: None,
        },
        Row {
            figure: "delivery p99, 1,000 clients, 50 posts/s",
            target: "≤ 100 ms".into(),
            measured: get(&d1000, "/latency/p99_ms"),
            unit: "ms",
            goal: Goal::AtMost(100.0),
            peer: None,
        },
        Row {
            figure: "  lost + out-of-order events",
            target: "0".into(),
            measured: lost_and_disorder,
            unit: "events",
            goal: Goal::AtMost(0.0),
            peer: None,
        },
        Row {
            figure: "idle sockets: memory per socket",
            target: "≤ 16 KiB (10,000 sockets)".into(),
            measured: get(&idle, "/bytes_per_socket").map(|b| b / 1024.0),
            unit: "KiB",
            goal: Goal::AtMost(16.0),
            peer: get(&idle, "/sockets").map(|n| format!("{n:.0} sockets held")),
        },
        Row {
            figure: "cold start, empty",
            target: "≤ 300 ms".into(),
            measured: get(&cold, "/empty_start_ms"),
            unit: "ms",
            goal: Goal::AtMost(300.0),
            peer: None,
        },
        Row {
            figure: "idle RSS, empty",
            target: "≤ 30 MiB".into(),
            measured: get(&cold, "/empty_idle_rss_bytes").map(|b| b / mib),
            unit: "MiB",
            goal: Goal::AtMost(30.0),
            peer: None,
        },
        Row {
            figure: "cold start, 1M posts",
            target: "≤ 500 ms".into(),
            measured: get(&cold, "/big_start_ms"),
            unit: "ms",
            goal: Goal::AtMost(500.0),
            peer: None,
        },
        Row {
            figure: "search p99, 1M posts, page of 60",
            target: "≤ 50 ms".into(),
            measured: get(&search, "/latency/p99_ms"),
            unit: "ms",
            goal: Goal::AtMost(50.0),
            peer: None,
        },
        Row {
            figure: "mix: users within latency/error limits",
            target: "≥ 10,000".into(),
            measured: get(&mix, "/max_users"),
            unit: "users",
            goal: Goal::AtLeast(10_000.0),
            peer: None,
        },
    ]
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Prints the table as Markdown and writes `summary.json`.
pub fn print(dir: &Path) -> Result<Value, String> {
    let rows = rows(dir);
    println!("| figure | target | measured | met? | peer (Synapse) |");
    println!("|---|---|---|---|---|");
    let mut out = Vec::new();
    for r in &rows {
        let met = r.measured.map(|m| match r.goal {
            Goal::AtLeast(t) => m >= t,
            Goal::AtMost(t) => m <= t,
        });
        let informational = matches!(r.goal, Goal::AtMost(t) if t.is_infinite());
        let measured = r.measured.map(|m| format!("{} {}", fmt(m), r.unit)).unwrap_or_else(|| "not run".into());
        let met_text = match (informational, met) {
            (true, _) => "–",
            (false, Some(true)) => "yes",
            (false, Some(false)) => "**no**",
            (false, None) => "–",
        };
        println!("| {} | {} | {} | {} | {} |", r.figure, r.target, measured, met_text, r.peer.clone().unwrap_or_else(|| "–".into()));
        out.push(json!({"figure": r.figure, "target": r.target, "measured": r.measured, "unit": r.unit, "met": if informational { None } else { met }, "peer": r.peer}));
    }
    let summary = json!({"rows": out});
    write_report(dir, "summary", &summary)?;
    Ok(summary)
}
