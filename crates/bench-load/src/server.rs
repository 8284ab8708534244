//! Starting and stopping the `conclave` binary under test, and reading its memory and CPU
//! use from `/proc/<pid>`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Settings the bench server runs with: every per-address and per-user limit lifted, so one
/// load generator on loopback can stand in for many users.
const BENCH_ENV: &[(&str, &str)] = &[
    ("CONCLAVE_RATE_LIMIT_PER_IP", "0"),
    ("CONCLAVE_RATE_LIMIT_PER_USER", "0"),
    ("CONCLAVE_RATE_LIMIT_SEARCH_PER_USER", "0"),
    ("CONCLAVE_MAX_CONNECTIONS", "200000"),
    ("CONCLAVE_MAX_CONNECTIONS_PER_IP", "200000"),
    ("CONCLAVE_MAX_WEBSOCKETS_PER_USER", "100000"),
    ("CONCLAVE_LOG", "warn"),
];

/// A running server started by the bench.
pub struct Server {
    child: Child,
    pub pid: u32,
    pub url: String,
    pub port: u16,
    /// From spawn to the first `200` from `/api/v4/system/ping`.
    pub startup: Duration,
}

/// A free loopback port (another process may take it before the server binds it; the
/// caller retries).
fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl Server {
    /// Starts `bin serve` on `data_dir` and waits until it answers ping.
    pub async fn start(bin: &Path, data_dir: &Path) -> Result<Server, String> {
        if !bin.is_file() {
            return Err(format!("conclave binary {} not found (build it with `cargo build --release -p server`, or pass --conclave)", bin.display()));
        }
        let mut last_err = String::new();
        for _ in 0..3 {
            let port = free_port()?;
            match Server::start_on(bin, data_dir, port).await {
                Ok(s) => return Ok(s),
                Err(e) => last_err = e,
            }
        }
        Err(last_err)
    }

    async fn start_on(bin: &Path, data_dir: &Path, port: u16) -> Result<Server, String> {
        if let Some(parent) = data_dir.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let log = data_dir.with_extension("log");
        let log_file = std::fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let mut cmd = Command::new(bin);
        cmd.arg("serve").arg("--data-dir").arg(data_dir).arg("--listen").arg(format!("127.0.0.1:{port}"));
        for (name, _) in std::env::vars() {
            if name.starts_with("CONCLAVE_") {
                cmd.env_remove(name);
            }
        }
        cmd.envs(BENCH_ENV.iter().copied());
        // For profiling: a different server log filter, e.g. `warn,sqlx::query=debug`.
        if let Ok(filter) = std::env::var("CONCLAVE_BENCH_SERVER_LOG") {
            cmd.env("CONCLAVE_LOG", filter);
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log_file).kill_on_drop(true);
        let started = Instant::now();
        let mut child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let pid = child.id().ok_or("the server exited at once")?;
        let url = format!("http://127.0.0.1:{port}");
        let ping = format!("{url}/api/v4/system/ping");
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
        let deadline = started + Duration::from_secs(120);
        loop {
            if let Ok(r) = client.get(&ping).send().await
                && r.status().is_success()
            {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                let tail = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("conclave exited with {status} before answering ping:\n{}", last_lines(&tail, 20)));
            }
            if Instant::now() > deadline {
                let _ = child.kill().await;
                return Err("conclave did not answer ping within 120 s".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Server { child, pid, url, port, startup: started.elapsed() })
    }

    /// Resident memory now, in bytes (`VmRSS`).
    pub fn rss(&self) -> u64 {
        proc_rss(self.pid).unwrap_or(0)
    }

    /// CPU time used so far (user + system).
    pub fn cpu(&self) -> Duration {
        proc_cpu(self.pid).unwrap_or_default()
    }

    /// Waits until the server has used at most 5% of a core over two consecutive quarter
    /// seconds (its background work, such as publishing, has caught up), or until `max`
    /// passed. Returns how long that took.
    pub async fn wait_idle(&self, max: Duration) -> Duration {
        let started = Instant::now();
        let step = Duration::from_millis(250);
        let mut quiet = 0;
        let mut last = self.cpu();
        while quiet < 2 && started.elapsed() < max {
            tokio::time::sleep(step).await;
            let now = self.cpu();
            quiet = if now.saturating_sub(last) <= step / 20 { quiet + 1 } else { 0 };
            last = now;
        }
        started.elapsed()
    }

    /// Stops the server with SIGTERM (through `kill`, as the crate forbids `unsafe`) and waits
    /// for it; kills it after 20 s.
    pub async fn stop(mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.pid.to_string()).status().await;
        if tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// `VmRSS` of a process in bytes.
pub fn proc_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// User plus system CPU time of a process (`/proc/<pid>/stat` fields 14 and 15).
pub fn proc_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields after it start past the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // Linux reports clock ticks; USER_HZ is 100 on every mainstream architecture.
    Some(Duration::from_millis((utime + stime) * 10))
}

/// A fresh copy of a cached data directory for one run, so runs never see each other's writes.
pub fn fresh_copy(src: &Path, run_dir: &Path) -> Result<PathBuf, String> {
    if run_dir.exists() {
        std::fs::remove_dir_all(run_dir).map_err(|e| format!("cannot clear {}: {e}", run_dir.display()))?;
    }
    copy_dir(src, run_dir)?;
    Ok(run_dir.to_owned())
}

fn copy_dir(src: &Path, dst: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dst).map_err(|e| format!("cannot create {}: {e}", dst.display()))?;
    for entry in std::fs::read_dir(src).map_err(|e| format!("cannot read {}: {e}", src.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let to = dst.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_dir(&entry.path(), &to)?;
        } else {
            std::fs::copy(entry.path(), &to).map_err(|e| format!("cannot copy {}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_memory_and_cpu() {
        let me = std::process::id();
        assert!(proc_rss(me).unwrap() > 0);
        assert!(proc_cpu(me).is_some());
    }
}
