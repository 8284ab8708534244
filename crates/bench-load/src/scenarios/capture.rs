//! `capture`: what indicator capture costs a poster. Keep-alive clients post messages that
//! carry indicators (a fresh IP, domain, URL and SHA-256 in every message) into one channel
//! whose intel mode is switched between `off`, `review` and `auto-publish`, alternating, a few
//! rounds each on the same server; prints the median rate of each mode and its ratio to `off`.
//!
//! The ratio is the median of per-round ratios (each mode against the `off` run of the same
//! round), so that drift on a shared machine cancels out. Before every run the server is left
//! to finish its background work (publishing what auto-publish captured), so that no mode pays
//! for the one before it; how long that took after auto-publish is printed as the publishing
//! lag. Server CPU time per post is printed too, over the run and over the run plus what the
//! server did after it (the whole cost of a post): it is much steadier than rates on a busy
//! machine.
//!
//! Two workloads are measured in turn: the worst case, where every message carries 4–5
//! indicators never seen before, and a war-room mix where one message in five carries
//! indicators, half of them ones the room keeps seeing.

use super::Ctx;
use crate::api::{Api, http_client};
use crate::server::Server;
use crate::stats::write_report;
use serde_json::{Value, json};
use std::time::Duration;

pub struct Opts {
    pub clients: usize,
    /// Seconds per mode per round.
    pub secs: f64,
    pub rounds: usize,
}

const MODES: [&str; 3] = ["off", "review", "auto-publish"];

/// A deterministic, different 64-bit value for every (client, n).
fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A war-room style message with four indicators, none of them seen before.
fn message(client: usize, n: u64) -> String {
    let h = mix64(((client as u64) << 40) | n);
    let (a, b, c) = ((h >> 8) as u8, (h >> 16) as u8, (h >> 24) as u8);
    let hash: String = (0..4).map(|k| format!("{:016x}", mix64(h.wrapping_add(k)))).collect();
    format!("beacon from 45.{a}.{b}.{} to hxxps://cdn-{h:x}[.]top/gate.php, dropper sha256 {hash}, C2 upd{c}-{client}-{n}.xyz", c.max(1))
}

/// A war-room mix: four messages in five carry no indicator; of the rest, half repeat one of
/// sixteen indicators the room keeps seeing and half carry 4–5 never seen before.
fn war_room_message(client: usize, n: u64) -> String {
    let h = mix64(((client as u64) << 40) | n | (1 << 39));
    match (h % 5, (h >> 8) % 2) {
        (0, 0) => {
            let k = (h >> 16) % 16;
            format!("seeing it again: beacon to 185.220.101.{} and c2-{k}.recurring-outbreak.top, same as yesterday", 10 + k)
        }
        (0, _) => message(client, n),
        _ => format!("shift update {n} from analyst {client}: containment holding, next sync at the top of the hour, shout if anything changes"),
    }
}

/// The traffic a measurement posts.
struct Workload {
    about: &'static str,
    message: fn(usize, u64) -> String,
}

const WORKLOADS: [Workload; 2] = [
    Workload { about: "every message with 4–5 never-seen indicators", message },
    Workload { about: "1 in 5 messages with indicators, half of them recurring", message: war_room_message },
];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub async fn run(ctx: &Ctx, o: &Opts) -> Result<Value, String> {
    let ds = ctx.small().await?;
    if o.clients == 0 || o.clients > ds.users.len() || o.rounds == 0 {
        return Err(format!("--clients must be between 1 and {} and --rounds at least 1", ds.users.len()));
    }
    let data = ctx.run_copy(&ds, "capture")?;
    let server = Server::start(&ctx.conclave, &data).await?;
    let channel = ds.channels[0].clone();
    // The dataset's administrator created the channel, so it may change its intel mode.
    let admin_token = Api::login(&http_client(None), &server.url, "bench-admin", crate::dataset::PASSWORD).await?;
    let admin = Api::new(http_client(None), &server.url, &admin_token);
    let tokens: Vec<String> = ds.users.iter().take(o.clients).map(|u| u.token.clone()).collect();
    let mut results = Vec::new();
    for (w, workload) in WORKLOADS.iter().enumerate() {
        results.push(measure(&server, &admin, &tokens, &channel, o, w, workload).await);
    }
    let indicators = admin.get("/intel/indicators?per_page=1").await.map(|r| r.status).unwrap_or(0);
    server.stop().await;
    let mut results = results.into_iter().collect::<Result<Vec<_>, String>>()?;
    let (modes, errors) = results.remove(0);
    let (war_room, war_room_errors) = results.remove(0);
    let report = json!({
        "scenario": "capture",
        "clients": o.clients,
        "rounds": o.rounds,
        "secs_per_mode": o.secs,
        "message_example": message(0, 1),
        "modes": modes,
        "errors": errors,
        "war_room": {"about": WORKLOADS[1].about, "message_examples": (0..5).map(|n| war_room_message(0, n)).collect::<Vec<_>>(), "modes": war_room, "errors": war_room_errors},
        "indicator_api_status": indicators,
    });
    write_report(&ctx.reports, "capture", &report)?;
    Ok(report)
}

/// Runs every mode `o.rounds` times, alternating, posting the workload's messages; prints a
/// line and returns the figures of each mode and the errors seen.
async fn measure(
    server: &Server,
    admin: &Api,
    tokens: &[String],
    channel: &str,
    o: &Opts,
    w: usize,
    workload: &Workload,
) -> Result<(Value, u64), String> {
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut p99: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut cpu_us: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut cpu_all_us: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut settle: Vec<Vec<f64>> = vec![Vec::new(); MODES.len()];
    let mut errors = 0u64;
    for round in 0..o.rounds {
        for (m, mode) in MODES.iter().enumerate() {
            let r = admin.put(&format!("/channels/{channel}/patch"), &json!({"intel_mode": mode, "tlp": "GREEN"})).await?;
            if r.status != 200 {
                return Err(format!("could not set intel mode {mode}: {} {}", r.status, r.body));
            }
            // Every run starts its clients' message numbers afresh, so nothing "new" repeats.
            let salt = ((w * o.rounds + round) * MODES.len() + m + 1) as u64;
            let cpu0 = server.cpu();
            let f = super::flood(&server.url, tokens, channel, o.secs, salt << 32, workload.message).await?;
            let cpu = server.cpu().saturating_sub(cpu0);
            // Whatever the server still has to do for this run (the publisher) is this run's.
            let lag = server.wait_idle(Duration::from_secs(120)).await;
            let cpu_all = server.cpu().saturating_sub(cpu0);
            errors += f.errors;
            rates[m].push(f.posts as f64 / f.secs);
            p99[m].push(f.latency.summary().p99_ms);
            let per_post = |cpu: Duration| if f.posts > 0 { cpu.as_secs_f64() * 1e6 / f.posts as f64 } else { 0.0 };
            cpu_us[m].push(per_post(cpu));
            cpu_all_us[m].push(per_post(cpu_all));
            settle[m].push(lag.as_secs_f64());
            let off = rates[0][round];
            ratios[m].push(if off > 0.0 { f.posts as f64 / f.secs / off } else { 0.0 });
        }
    }
    let mut modes = serde_json::Map::new();
    let mut line = format!("capture ({}): {} clients, {} rounds of {:.1} s per mode:", workload.about, o.clients, o.rounds, o.secs);
    for (m, mode) in MODES.iter().enumerate() {
        let rate = median(rates[m].clone());
        let ratio = median(ratios[m].clone());
        let cpu = median(cpu_us[m].clone());
        let cpu_all = median(cpu_all_us[m].clone());
        line.push_str(&format!(
            " {mode} {rate:.0} posts/s ({:.1}% of off, p99 {:.1} ms, server CPU {cpu:.0} µs/post, {cpu_all:.0} with what it did after, settled in {:.1} s);",
            100.0 * ratio,
            median(p99[m].clone()),
            median(settle[m].clone())
        ));
        modes.insert(
            (*mode).to_owned(),
            json!({"posts_per_s": rate, "runs": rates[m], "ratio_to_off": ratio, "ratios": ratios[m], "p99_ms": median(p99[m].clone()),
                   "server_cpu_us_per_post": cpu, "server_cpu_us_per_post_with_settle": cpu_all, "settle_s": settle[m]}),
        );
    }
    println!("{line} errors {errors}");
    Ok((Value::Object(modes), errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_carries_four_fresh_indicators() {
        let x = ioc::Extractor::new();
        let (a, b) = (x.extract(&message(3, 7)), x.extract(&message(3, 8)));
        assert!(a.len() >= 4, "{a:?}");
        assert!(a.iter().all(|x| !b.iter().any(|y| y.value == x.value)), "{a:?} vs {b:?}");
    }

    #[test]
    fn the_war_room_mix_is_mostly_plain_chat() {
        let x = ioc::Extractor::new();
        let with: Vec<usize> = (0..1000).map(|n| x.extract(&war_room_message(2, n)).len()).collect();
        let carrying = with.iter().filter(|&&k| k > 0).count();
        assert!((150..250).contains(&carrying), "{carrying} of 1000 carry indicators");
        assert!(with.iter().all(|&k| k == 0 || k >= 2), "{with:?}");
    }
}
