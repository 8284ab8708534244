//! Abuse limits: keyed rate limiters (per IP, per user, per login target) using GCRA, the
//! algorithm behind token buckets that needs one timestamp per key.
//!
//! Login throttling is keyed by (account, address) for failures, so an attacker hammering an
//! account from their own address slows only themselves: the owner, logging in from
//! elsewhere, is never locked out. A second per-address budget for failed logins across
//! accounts stops credential stuffing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A rate: `per_second` sustained, `burst` at once. `per_second == 0` disables it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: u32,
}

impl Rate {
    pub const OFF: Rate = Rate { per_second: 0.0, burst: 0 };

    pub fn new(per_second: f64, burst: u32) -> Rate {
        Rate { per_second, burst: burst.max(1) }
    }

    pub fn per_minute(n: f64, burst: u32) -> Rate {
        Rate::new(n / 60.0, burst)
    }

    pub fn enabled(&self) -> bool {
        self.per_second > 0.0
    }
}

/// The outcome of a check, for the `X-Ratelimit-*` headers.
#[derive(Clone, Copy, Debug)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until a request would be allowed (when refused) or the bucket is full.
    pub reset_secs: u64,
}

pub struct KeyedLimiter<K> {
    rate: Rate,
    /// Theoretical arrival time per key.
    tats: Mutex<HashMap<K, Instant>>,
    created: Instant,
}

/// Keys idle this long are forgotten, which bounds the map's size.
const FORGET_AFTER: Duration = Duration::from_secs(600);

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(rate: Rate) -> Self {
        KeyedLimiter { rate, tats: Mutex::new(HashMap::new()), created: Instant::now() }
    }

    /// Takes one unit for `key` if the rate allows it.
    pub fn check(&self, key: &K) -> Decision {
        self.check_n(key, 1)
    }

    pub fn check_n(&self, key: &K, n: u32) -> Decision {
        if !self.rate.enabled() {
            return Decision { allowed: true, limit: 0, remaining: 0, reset_secs: 0 };
        }
        let now = Instant::now();
        let interval = Duration::from_secs_f64(1.0 / self.rate.per_second);
        let tolerance = interval * self.rate.burst.saturating_sub(1);
        let mut tats = self.tats.lock().unwrap_or_else(|p| p.into_inner());
        if tats.len() > 100_000 {
            tats.retain(|_, t| *t + FORGET_AFTER > now);
        }
        let tat = tats.get(key).copied().unwrap_or(now).max(now);
        let new_tat = tat + interval * n;
        let allow_at = new_tat.checked_sub(tolerance + interval).unwrap_or(self.created);
        if allow_at > now {
            let wait = allow_at - now;
            return Decision { allowed: false, limit: self.rate.burst, remaining: 0, reset_secs: wait.as_secs_f64().ceil() as u64 };
        }
        tats.insert(key.clone(), new_tat);
        let used = (new_tat - now).as_secs_f64() / interval.as_secs_f64();
        let remaining = (f64::from(self.rate.burst) - used).floor().max(0.0) as u32;
        Decision { allowed: true, limit: self.rate.burst, remaining, reset_secs: (new_tat - now).as_secs_f64().ceil() as u64 }
    }

    /// Whether a request would be allowed, without taking anything.
    pub fn would_allow(&self, key: &K) -> bool {
        if !self.rate.enabled() {
            return true;
        }
        let now = Instant::now();
        let interval = Duration::from_secs_f64(1.0 / self.rate.per_second);
        let tolerance = interval * self.rate.burst.saturating_sub(1);
        let tats = self.tats.lock().unwrap_or_else(|p| p.into_inner());
        let tat = tats.get(key).copied().unwrap_or(now).max(now);
        (tat + interval).checked_sub(tolerance + interval).is_none_or(|t| t <= now)
    }

    pub fn forget(&self, key: &K) {
        self.tats.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// Every limiter the edge uses, built from the configuration.
pub struct Limits {
    pub per_ip: KeyedLimiter<std::net::IpAddr>,
    pub per_user: KeyedLimiter<String>,
    /// Failed logins per (account, address).
    pub login_failures: KeyedLimiter<(String, std::net::IpAddr)>,
    /// Failed logins per address, across accounts.
    pub login_failures_ip: KeyedLimiter<std::net::IpAddr>,
    /// Searches per user (they are the most expensive reads).
    pub search: KeyedLimiter<String>,
    /// Uploads per user.
    pub uploads: KeyedLimiter<String>,
    /// WebSocket actions per connection.
    pub ws_actions: Rate,
}

#[derive(Clone, Debug)]
pub struct LimitConfig {
    pub per_ip: Rate,
    pub per_user: Rate,
    pub login_failures: Rate,
    pub login_failures_ip: Rate,
    pub search: Rate,
    pub uploads: Rate,
    pub ws_actions: Rate,
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig {
            per_ip: Rate::new(200.0, 400),
            per_user: Rate::new(50.0, 200),
            login_failures: Rate::per_minute(5.0, 5),
            login_failures_ip: Rate::per_minute(30.0, 30),
            search: Rate::new(5.0, 20),
            uploads: Rate::new(2.0, 20),
            ws_actions: Rate::new(20.0, 100),
        }
    }
}

impl LimitConfig {
    /// No limits (benchmarks drive one server from one address).
    pub fn off() -> Self {
        LimitConfig {
            per_ip: Rate::OFF,
            per_user: Rate::OFF,
            login_failures: Rate::OFF,
            login_failures_ip: Rate::OFF,
            search: Rate::OFF,
            uploads: Rate::OFF,
            ws_actions: Rate::OFF,
        }
    }
}

impl Limits {
    pub fn new(c: &LimitConfig) -> Self {
        Limits {
            per_ip: KeyedLimiter::new(c.per_ip),
            per_user: KeyedLimiter::new(c.per_user),
            login_failures: KeyedLimiter::new(c.login_failures),
            login_failures_ip: KeyedLimiter::new(c.login_failures_ip),
            search: KeyedLimiter::new(c.search),
            uploads: KeyedLimiter::new(c.uploads),
            ws_actions: c.ws_actions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refuse() {
        let l = KeyedLimiter::new(Rate::new(1.0, 3));
        assert!((0..3).all(|_| l.check(&1).allowed));
        let d = l.check(&1);
        assert!(!d.allowed);
        assert!(d.reset_secs >= 1);
        assert!(l.check(&2).allowed, "keys are independent");
    }

    #[test]
    fn off_allows_everything() {
        let l = KeyedLimiter::new(Rate::OFF);
        assert!((0..10_000).all(|_| l.check(&1).allowed));
    }
}
