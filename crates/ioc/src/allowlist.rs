//! Allow-lists in the spirit of MISP warninglists: address ranges, domains and exact values
//! that are not indicators, each with a reason. Hits are kept as suppressed findings (shown
//! to analysts on request), never silently dropped.
//!
//! The entry format is documented on [`Allowlist`].

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use crate::types::{Finding, IocType, Suppression};

const BUILTIN: &[&str] = &[
    include_str!("../data/special_ranges.txt"),
    include_str!("../data/resolvers.txt"),
    include_str!("../data/benign_domains.txt"),
    include_str!("../data/benign_values.txt"),
];

/// A syntax error in an allow-list text, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowlistError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for AllowlistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "allow-list line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for AllowlistError {}

/// A small multiplicative hasher (the FxHash scheme): the keys are allow-list entries, not
/// attacker-chosen, and lookups happen for every extracted address and domain.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time, the last chunk zero-padded.
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.write_u64(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, v: u8) {
        // What `write(&[v])` computes.
        self.write_u64(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A 4096-bit filter over (length, first byte, last byte) of the keys of a map. A key whose
/// bit is clear is not in the map, which is what nearly every lookup finds; only the rest
/// are hashed and looked up.
#[derive(Clone)]
struct KeyFilter([u64; 64]);

impl Default for KeyFilter {
    fn default() -> Self {
        KeyFilter([0; 64])
    }
}

impl fmt::Debug for KeyFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyFilter({} bits)", self.0.iter().map(|w| w.count_ones()).sum::<u32>())
    }
}

impl KeyFilter {
    #[inline]
    fn slot(len: usize, first: u8, last: u8) -> usize {
        let h = (len as u32).wrapping_mul(0x9E37_79B1) ^ u32::from(first).wrapping_mul(0x85EB_CA77) ^ u32::from(last).wrapping_mul(0xC2B2_AE3D);
        (h >> 20) as usize
    }

    #[inline]
    fn slot_of(key: &[u8], map: impl Fn(u8) -> u8) -> usize {
        Self::slot(key.len(), key.first().map_or(0, |&c| map(c)), key.last().map_or(0, |&c| map(c)))
    }

    fn insert(&mut self, key: &[u8]) {
        let s = Self::slot_of(key, |c| c);
        self.0[s / 64] |= 1 << (s % 64);
    }

    /// Whether `key` (mapped byte-wise by `map` like the inserted keys were) may be present.
    #[inline]
    fn may_contain(&self, key: &[u8], map: impl Fn(u8) -> u8) -> bool {
        let s = Self::slot_of(key, map);
        self.0[s / 64] & (1 << (s % 64)) != 0
    }
}

/// Entries that suppress findings. Cheap to clone and to query (hash lookups per prefix
/// length and per domain label).
///
/// Line format (one entry per line, `#` starts a comment line, blank lines ignored):
///
/// ```text
/// cidr   10.0.0.0/8        private  RFC 1918 private network
/// domain cisa.gov          reference  US CISA advisories
/// host   azurewebsites.net shared_hosting  Azure App Service; subdomains are tenants
/// value  d41d8cd98f00b204e9800998ecf8427e  empty_file  MD5 of the empty file
/// ```
///
/// `kind value code text...`: `cidr` matches IPv4/IPv6 addresses, networks inside it and
/// URLs on such addresses; `domain` matches the name and all its subdomains, `host` only
/// the exact name; `value` matches a canonical value of any type (ASCII case-insensitive).
/// The `code` decides where a domain entry applies: `shared_hosting` and `dynamic_dns`
/// suppress only bare domains (a URL or e-mail on them is still an indicator); `popular`
/// and `freemail` suppress domains and URLs but not e-mail senders; every other code
/// suppresses domains, URLs and e-mail addresses. A Windows path under `C:\Windows\` is
/// suppressed when its file name is a listed value (`C:\Windows\System32\rundll32.exe`).
/// When no code is given it is `admin`; when no text is given it is "listed by the
/// administrator".
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    reasons: Vec<Suppression>,
    /// (is_v6, prefix length) -> network bits -> reason index.
    nets: FxMap<(bool, u8), FxMap<u128, usize>>,
    prefix_lens: Vec<(bool, u8)>,
    /// Longest-prefix tables for single addresses, rebuilt after each change of `nets`:
    /// for IPv4 and IPv6, the first address of each elementary range between network
    /// boundaries with the reason index of the longest network covering it (`NONE` when no
    /// network does), sorted. A lookup is one binary search instead of a hash lookup per
    /// prefix length.
    ranges: [Vec<(u128, usize)>; 2],
    /// Domain name -> (reason index, also matches subdomains).
    domains: FxMap<String, (usize, bool)>,
    values: FxMap<String, usize>,
    /// Filters over the keys of `domains` and `values`.
    domain_filter: KeyFilter,
    value_filter: KeyFilter,
}

impl Allowlist {
    /// The built-in lists: special-purpose address ranges, public resolvers, reference,
    /// vendor, popular and shared-hosting domains, and well-known benign values.
    pub fn new() -> Self {
        let mut a = Allowlist::empty();
        for text in BUILTIN {
            a.extend_from_str(text).expect("built-in allow-lists parse");
        }
        a
    }

    /// An allow-list with no entries.
    pub fn empty() -> Self {
        Allowlist::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.reasons.len()
    }

    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }

    /// Adds the entries in `text` (format in the module docs). On error nothing after the
    /// bad line is added; earlier lines stay.
    pub fn extend_from_str(&mut self, text: &str) -> Result<(), AllowlistError> {
        let result = self.add_lines(text);
        self.build_ranges();
        result
    }

    fn add_lines(&mut self, text: &str) -> Result<(), AllowlistError> {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |m: &str| AllowlistError { line: n + 1, message: format!("{m}: {line:?}") };
            let mut parts = line.split_whitespace();
            let (Some(kind), Some(value)) = (parts.next(), parts.next()) else {
                return Err(err("expected `kind value [code] [reason]`"));
            };
            let code = parts.next().unwrap_or("admin").to_string();
            let rest: Vec<&str> = parts.collect();
            let reason = if rest.is_empty() { "listed by the administrator".to_string() } else { rest.join(" ") };
            let idx = self.reasons.len();
            match kind {
                "cidr" => {
                    let (bucket, bits) = self.add_net(value).ok_or_else(|| err("bad CIDR"))?;
                    self.nets.entry(bucket).or_default().entry(bits).or_insert(idx);
                }
                "domain" | "host" => {
                    let name = crate::host::parse_domain(value).map(|h| h.ascii).or_else(|| {
                        let v = value.trim_end_matches('.').to_ascii_lowercase();
                        (!v.is_empty() && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')).then_some(v)
                    });
                    let name = name.ok_or_else(|| err("bad domain"))?;
                    self.domain_filter.insert(name.as_bytes());
                    self.domains.insert(name, (idx, kind == "domain"));
                }
                "value" => {
                    let key = value.to_ascii_lowercase();
                    self.value_filter.insert(key.as_bytes());
                    self.values.insert(key, idx);
                }
                _ => return Err(err("unknown kind (cidr, domain, host, value)")),
            }
            self.reasons.push(Suppression { code, reason });
        }
        Ok(())
    }

    /// Rebuilds `ranges` from `nets`.
    fn build_ranges(&mut self) {
        for v6 in [false, true] {
            let max: u32 = if v6 { 128 } else { 32 };
            // (first, last, prefix length, reason) of every network of the family.
            let nets: Vec<(u128, u128, u8, usize)> = self
                .nets
                .iter()
                .filter(|(k, _)| k.0 == v6)
                .flat_map(|(&(_, len), m)| {
                    let host_bits = max - u32::from(len);
                    let span = if host_bits == 128 { u128::MAX } else { (1u128 << host_bits) - 1 };
                    m.iter().map(move |(&key, &idx)| (key, key | span, len, idx))
                })
                .collect();
            let top = if v6 { u128::MAX } else { u128::from(u32::MAX) };
            let mut bounds: Vec<u128> = vec![0];
            for &(first, last, _, _) in &nets {
                bounds.push(first);
                if last < top {
                    bounds.push(last + 1);
                }
            }
            bounds.sort_unstable();
            bounds.dedup();
            let ranges = bounds
                .into_iter()
                .map(|b| {
                    let best = nets.iter().filter(|n| n.0 <= b && b <= n.1).max_by_key(|n| n.2);
                    (b, best.map_or(NONE, |n| n.3))
                })
                .collect();
            self.ranges[usize::from(v6)] = ranges;
        }
    }

    /// Parses a network, registers its prefix length and returns (bucket, network bits).
    fn add_net(&mut self, cidr: &str) -> Option<((bool, u8), u128)> {
        let (addr, len) = match cidr.split_once('/') {
            Some((a, l)) => (a.parse::<IpAddr>().ok()?, l.parse::<u8>().ok()?),
            None => {
                let a = cidr.parse::<IpAddr>().ok()?;
                (a, if a.is_ipv4() { 32 } else { 128 })
            }
        };
        let (v6, bits, max) = match addr {
            IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (true, u128::from(a), 128),
        };
        if len > max {
            return None;
        }
        let key = mask(bits, len, max);
        if !self.prefix_lens.contains(&(v6, len)) {
            self.prefix_lens.push((v6, len));
            self.prefix_lens.sort_by_key(|p| std::cmp::Reverse(p.1));
        }
        Some(((v6, len), key))
    }

    /// The reason an address (or network `addr/len`) is allow-listed, most specific first.
    pub fn check_ip(&self, addr: IpAddr, len: Option<u8>) -> Option<&Suppression> {
        let (v6, bits, max) = match addr {
            IpAddr::V4(a) => (false, u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => (false, u128::from(u32::from(v4)), 32),
                None => (true, u128::from(a), 128),
            },
        };
        if len.is_none() {
            // A single address: the longest network covering it, from the range table.
            let ranges = &self.ranges[usize::from(v6)];
            let i = ranges.partition_point(|r| r.0 <= bits).checked_sub(1)?;
            return self.reasons.get(ranges[i].1);
        }
        let len = len.unwrap_or(max);
        self.prefix_lens
            .iter()
            .filter(|(f, l)| *f == v6 && *l <= len)
            .find_map(|&(f, l)| self.nets.get(&(f, l))?.get(&mask(bits, l, max)))
            .map(|&i| &self.reasons[i])
    }

    /// The reason a canonical host name is allow-listed (the name or a parent domain).
    pub fn check_domain(&self, host: &str) -> Option<&Suppression> {
        let mut name = host.trim_end_matches('.');
        let mut exact = true;
        loop {
            if self.domain_filter.may_contain(name.as_bytes(), |c| c)
                && let Some(&(i, subtree)) = self.domains.get(name)
                && (exact || subtree)
            {
                return Some(&self.reasons[i]);
            }
            exact = false;
            match name.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => name = parent,
                _ => return None,
            }
        }
    }

    /// The reason a canonical value is listed verbatim.
    pub fn check_value(&self, value: &str) -> Option<&Suppression> {
        if !self.value_filter.may_contain(value.as_bytes(), |c| c.to_ascii_lowercase()) {
            return None;
        }
        // Canonical values are mostly lower-case already: avoid the copy then (the test is
        // a branch-free fold, which vectorises).
        let upper = value.bytes().fold(false, |a, c| a | c.is_ascii_uppercase());
        let hit = if upper { self.values.get(&value.to_ascii_lowercase()) } else { self.values.get(value) };
        hit.map(|&i| &self.reasons[i])
    }

    /// Decides whether a finding is suppressed and why.
    pub fn check(&self, f: &Finding) -> Option<Suppression> {
        self.check_parsed(f, None).cloned()
    }

    /// [`Allowlist::check`], given the address (network for CIDRs) and prefix length that an
    /// IP finding's value spells, when the caller has them (the extractor does), so the
    /// value need not be parsed back.
    pub(crate) fn check_parsed(&self, f: &Finding, net: Option<(IpAddr, Option<u8>)>) -> Option<&Suppression> {
        if let Some(s) = self.check_value(&f.value) {
            return Some(s);
        }
        let applies = |s: &&Suppression, kind: IocType| match s.code.as_str() {
            "shared_hosting" | "dynamic_dns" => kind == IocType::Domain,
            "popular" | "freemail" => kind != IocType::Email,
            _ => true,
        };
        match f.kind {
            IocType::Ipv4 | IocType::Ipv6 => match net {
                Some((a, None)) => self.check_ip(a, None),
                _ => f.value.parse().ok().and_then(|a| self.check_ip(a, None)),
            },
            IocType::Ipv4Cidr | IocType::Ipv6Cidr => match net {
                Some((a, Some(l))) => self.check_ip(a, Some(l)),
                _ => {
                    let (a, l) = f.value.split_once('/')?;
                    self.check_ip(a.parse().ok()?, l.parse().ok())
                }
            },
            IocType::Domain => self.check_domain(&f.value).filter(|s| applies(s, IocType::Domain)),
            IocType::Email => {
                let at = f.value.bytes().rposition(|c| c == b'@')?;
                let host = &f.value[at + 1..];
                self.check_domain(host).filter(|s| applies(s, IocType::Email))
            }
            IocType::Url => {
                let host = url_host(&f.value)?;
                // An address ends with a digit (IPv4) or has a colon (IPv6); skip parsing
                // host names.
                let maybe_ip = host.bytes().last().is_some_and(|c| c.is_ascii_digit() || c == b']') || host.contains(':');
                let ip = if maybe_ip { host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok() } else { None };
                match ip {
                    Some(a) => self.check_ip(a, None),
                    None => self.check_domain(host).filter(|s| applies(s, IocType::Url)),
                }
            }
            // A system binary in its home directory (`C:\Windows\System32\rundll32.exe`).
            IocType::FilePath if f.value.to_ascii_lowercase().starts_with("c:\\windows\\") => {
                let base = f.value.rsplit('\\').next()?;
                self.check_value(base)
            }
            _ => None,
        }
    }
}

/// The host of a canonical URL (`scheme://[userinfo@]host[:port]/...`).
pub fn url_host(url: &str) -> Option<&str> {
    let sep = url.as_bytes().windows(3).position(|w| w == b"://")?;
    let rest = &url[sep + 3..];
    let auth = &rest[..rest.bytes().position(|c| matches!(c, b'/' | b'?' | b'#')).unwrap_or(rest.len())];
    let host = auth.bytes().rposition(|c| c == b'@').map_or(auth, |i| &auth[i + 1..]);
    if host.starts_with('[') {
        return host.bytes().position(|c| c == b']').map(|i| &host[..=i]);
    }
    Some(host.bytes().rposition(|c| c == b':').map_or(host, |i| &host[..i]))
}

/// No reason: an address range that no network covers.
const NONE: usize = usize::MAX;

fn mask(bits: u128, len: u8, max: u8) -> u128 {
    if len == 0 {
        return 0;
    }
    let keep = u128::MAX << (128 - u32::from(len));
    let shifted = bits << (128 - u32::from(max));
    (shifted & keep) >> (128 - u32::from(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lists_cover_the_usual_suspects() {
        let a = Allowlist::new();
        let code = |ip: &str| a.check_ip(ip.parse().unwrap(), None).map(|s| s.code.clone());
        assert_eq!(code("10.1.2.3").as_deref(), Some("private"));
        assert_eq!(code("127.0.0.1").as_deref(), Some("loopback"));
        assert_eq!(code("100.64.1.1").as_deref(), Some("cgnat"));
        assert_eq!(code("8.8.8.8").as_deref(), Some("public_resolver"));
        assert_eq!(code("198.51.100.7").as_deref(), Some("documentation"));
        assert_eq!(code("fe80::1").as_deref(), Some("link_local"));
        assert_eq!(code("45.137.21.9"), None);
        assert!(a.check_domain("nvd.nist.gov").is_some());
        assert!(a.check_domain("evil-nist.gov.ru").is_none());
        assert!(a.check_domain("github.com.evil.ru").is_none());
    }

    #[test]
    fn host_entries_do_not_cover_subdomains() {
        let mut a = Allowlist::empty();
        a.extend_from_str("host azurewebsites.net shared_hosting tenants\ndomain corp.example.org internal ours").unwrap();
        assert!(a.check_domain("azurewebsites.net").is_some());
        assert!(a.check_domain("evil.azurewebsites.net").is_none());
        assert_eq!(a.check_domain("vpn.corp.example.org").unwrap().reason, "ours");
    }

    #[test]
    fn reports_bad_lines() {
        let mut a = Allowlist::empty();
        let e = a.extend_from_str("# ok\ncidr 10.0.0.0/99 x").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(a.extend_from_str("frob x").is_err());
        assert!(a.extend_from_str("value abc").is_ok());
        assert_eq!(a.check_value("ABC").unwrap().code, "admin");
    }

    /// The range table gives what the per-prefix-length lookup gives, for addresses at and
    /// around every network boundary and random ones, with nested and overlapping entries.
    #[test]
    fn range_table_matches_prefix_lookup() {
        let mut a = Allowlist::new();
        a.extend_from_str("cidr 10.1.0.0/16 x inner\ncidr 10.1.2.3/32 y host\ncidr 0.0.0.0/0 all everything\ncidr 2001:db8:1::/48 z v6").unwrap();
        for list in [Allowlist::new(), a] {
            let slow = |addr: IpAddr| {
                let (v6, bits, max) = match addr {
                    IpAddr::V4(x) => (false, u128::from(u32::from(x)), 32),
                    IpAddr::V6(x) => match x.to_ipv4_mapped() {
                        Some(v4) => (false, u128::from(u32::from(v4)), 32),
                        None => (true, u128::from(x), 128),
                    },
                };
                list.prefix_lens
                    .iter()
                    .filter(|(f, _)| *f == v6)
                    .find_map(|&(f, l)| list.nets.get(&(f, l))?.get(&mask(bits, l, max)))
                    .map(|&i| &list.reasons[i])
            };
            let mut probes: Vec<IpAddr> = Vec::new();
            for (&(v6, len), m) in &list.nets {
                let max = if v6 { 128 } else { 32 };
                for &key in m.keys() {
                    let span = if max - u32::from(len) == 128 { u128::MAX } else { (1u128 << (max - u32::from(len))) - 1 };
                    for b in [key.wrapping_sub(1), key, key + 1, key | span, (key | span).wrapping_add(1)] {
                        probes.push(if v6 { IpAddr::from(b.to_be_bytes()) } else { IpAddr::from((b as u32).to_be_bytes()) });
                    }
                }
            }
            let mut seed = 0x2545_f491_4f6c_dd1du64;
            for _ in 0..20_000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                probes.push(IpAddr::from(((seed >> 32) as u32).to_be_bytes()));
                probes.push(IpAddr::from((u128::from(seed) << 64 | u128::from(seed.rotate_left(17))).to_be_bytes()));
            }
            probes.push("::ffff:10.1.2.3".parse().unwrap());
            for p in probes {
                assert_eq!(list.check_ip(p, None), slow(p), "{p}");
            }
        }
    }

    /// The key filters never hide an entry.
    #[test]
    fn key_filters_pass_every_entry() {
        let mut a = Allowlist::new();
        a.extend_from_str("value MiXeD.Exe x y\ndomain Corp.Example.ORG internal ours\nhost a.b x").unwrap();
        for k in a.domains.keys() {
            assert!(a.check_domain(k).is_some(), "{k}");
            assert!(a.check_domain(&format!("sub.{k}")).is_some() == a.domains[k].1, "{k}");
        }
        for k in a.values.keys() {
            assert!(a.check_value(k).is_some(), "{k}");
            assert!(a.check_value(&k.to_ascii_uppercase()).is_some(), "{k}");
        }
        assert!(a.check_value("mixed.exe").is_some() && a.check_value("MIXED.EXE").is_some());
        assert!(a.check_value("not-listed.exe").is_none());
    }

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("http://u@evil.com:8080/x"), Some("evil.com"));
        assert_eq!(url_host("http://[2001:db8::1]:80/"), Some("[2001:db8::1]"));
    }
}
