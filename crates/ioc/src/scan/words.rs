//! Runs of ASCII letters and digits: hashes (and JA3 by context), wallets, CVE ids, ATT&CK
//! ids, ASNs, and the anchors of registry keys, paths and mutexes (handed to `paths`).
//!
//! Long words (hashes, wallets) are found from their digits; short ones from fixed anchor
//! patterns, matched at the [`Class::Word`] and [`Class::Colon`] anchors. Both are linear and
//! skip most of the text.

use super::paths;
use super::{Cand, Ctx};
use crate::anchors::Class;
use crate::crypto::{is_btc_base58, is_btc_bech32, is_eth, is_xmr};
use crate::lex::{WordSet, context_has, is_alnum};
use crate::types::IocType;

const JA3_WORDS: &[&str] = &["ja3", "ja3s", "ja3_hash", "ja3hash", "ja3_digest", "ja3s_hash", "ja3_md5"];
const GIT_WORDS: &[&str] = &["commit", "commits", "git", "rev", "revision", "changeset", "merge", "tree", "blob", "head"];
const NOT_HASH_WORDS: &[&str] = &["imphash", "ssdeep", "tlsh", "guid", "uuid", "clsid", "serial", "thumbprint", "jarm", "ja4", "request-id", "trace"];
static JA3: WordSet = WordSet::new(JA3_WORDS);
static GIT: WordSet = WordSet::new(GIT_WORDS);
static NOT_HASH: WordSet = WordSet::new(NOT_HASH_WORDS);

/// ASCII letters and digits, as a lookup table for the hot loop.
static ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    t
};

/// Indicator words shorter than this are found from anchors; longer ones by probing.
const LONG: usize = 26;

pub(super) fn scan(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    if ctx.anchors.has(Class::Digit) {
        long_words(ctx, out);
    }
    if ctx.anchors.has(Class::Word) || ctx.anchors.has(Class::Colon) {
        anchored(ctx, out);
    }
    if ctx.anchors.has(Class::Slash) {
        unix_paths(ctx, out);
    }
}

/// `/tmp/...`, `/var/...`: a `/` at a word boundary followed by a known root directory.
fn unix_paths(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    let b = ctx.bytes;
    let mut resume = 0;
    for a in ctx.anchors.iter(Class::Slash) {
        if a < resume || (a > 0 && !matches!(b[a - 1], b' ' | b'\t' | b'\n' | b'"' | b'\'' | b'`' | b'(' | b'=' | b',' | b'[' | b':')) {
            continue;
        }
        let e = word_end(b, a + 1, 16);
        if e > a + 1
            && b.get(e) == Some(&b'/')
            && let Some(end) = paths::env_or_unix(ctx, a + 1, e, out)
        {
            resume = end;
        }
    }
}

/// Hashes and wallets: runs of at least `LONG` letters and digits. Every hash and wallet
/// has a digit (hashes need one, `0x`, `bc1`, `1`/`3` and `4`/`8` prefixes are digits), so
/// the runs are found from the digit anchors; each run is expanded once (never re-reading a
/// byte before the previous run's end) and the digits inside it are skipped.
fn long_words(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    let b = ctx.bytes;
    let n = b.len();
    let mut done = 0;
    for p in ctx.anchors.iter(Class::Digit) {
        if p < done {
            continue;
        }
        let mut s = p;
        while s > done && ALNUM[usize::from(b[s - 1])] {
            s -= 1;
        }
        let mut e = p + 1;
        while e < n && ALNUM[usize::from(b[e])] {
            e += 1;
        }
        if e - s >= LONG {
            let prev = s.checked_sub(1).map(|k| b[k]);
            long_word(ctx, s, e, prev, b.get(e).copied(), out);
        }
        done = e;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Cve,
    Attack,
    As,
    Hive,
    Mutex,
    Drive,
    EnvVar,
}

/// The anchor patterns (the reference table for [`anchor_at`], which matches them in place).
#[cfg(test)]
const ANCHORS: &[(&str, Anchor)] = &[
    ("CVE-", Anchor::Cve),
    ("cve-", Anchor::Cve),
    ("Cve-", Anchor::Cve),
    ("T0", Anchor::Attack),
    ("T1", Anchor::Attack),
    ("TA", Anchor::Attack),
    ("AS", Anchor::As),
    ("HK", Anchor::Hive),
    ("mutex", Anchor::Mutex),
    ("Mutex", Anchor::Mutex),
    ("MUTEX", Anchor::Mutex),
    ("mutant", Anchor::Mutex),
    ("Mutant", Anchor::Mutex),
    (":\\", Anchor::Drive),
    ("%\\", Anchor::EnvVar),
];

/// The anchor pattern matching at the anchor byte `p`, as (start, end, anchor). Patterns
/// start at their anchor byte, except `CVE-`, whose anchor is the `-`; no other anchor byte
/// lies inside `CVE`, so matches come out in order of their start.
#[inline]
fn anchor_at(b: &[u8], p: usize) -> Option<(usize, usize, Anchor)> {
    let rest = &b[p..];
    let two = |next: &[u8], a: Anchor| rest.get(1).filter(|c| next.contains(c)).map(|_| (p, p + 2, a));
    match b[p] {
        b'T' => two(b"01A", Anchor::Attack),
        b'A' => two(b"S", Anchor::As),
        b'H' => two(b"K", Anchor::Hive),
        b':' | b'%' => two(b"\\", if b[p] == b':' { Anchor::Drive } else { Anchor::EnvVar }),
        b'M' | b'm' => {
            ["mutex", "Mutex", "MUTEX", "mutant", "Mutant"].iter().find(|w| rest.starts_with(w.as_bytes())).map(|w| (p, p + w.len(), Anchor::Mutex))
        }
        b'-' => {
            let s = p.checked_sub(3)?;
            matches!(&b[s..p], b"CVE" | b"cve" | b"Cve").then_some((s, p + 1, Anchor::Cve))
        }
        _ => None,
    }
}

/// The non-overlapping, leftmost-first matches of the anchor patterns, in order.
fn anchor_matches<'a>(ctx: &'a Ctx<'_>) -> impl Iterator<Item = (usize, usize, Anchor)> + 'a {
    let mut last_end = 0;
    ctx.anchors.union(Class::Word, Class::Colon).filter_map(move |p| {
        let m = anchor_at(ctx.bytes, p).filter(|m| m.0 >= last_end)?;
        last_end = m.1;
        Some(m)
    })
}

/// The end of the run of letters and digits starting at `s` (at most `max` bytes).
fn word_end(b: &[u8], s: usize, max: usize) -> usize {
    s + b[s..].iter().take(max).take_while(|c| ALNUM[usize::from(**c)]).count()
}

/// Short indicator words found from fixed anchors (case-sensitive where case matters).
fn anchored(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    let b = ctx.bytes;
    let mut resume = 0;
    for (a, m_end, anchor) in anchor_matches(ctx) {
        if a < resume {
            continue;
        }
        let boundary = |i: usize| i == 0 || !ALNUM[usize::from(b[i - 1])];
        let end = match anchor {
            Anchor::Cve if boundary(a) => cve(ctx, a, out),
            Anchor::Attack if boundary(a) => attack(ctx, a, word_end(b, a, 8), out),
            Anchor::As if boundary(a) => asn(ctx, a, word_end(b, a, 16), out),
            Anchor::Hive if boundary(a) => paths::registry(ctx, a, word_end(b, a, 8), out),
            Anchor::Mutex if boundary(a) && word_end(b, a, 8) == m_end => paths::mutex(ctx, m_end, out),
            Anchor::Drive if a > 0 && b[a - 1].is_ascii_alphabetic() && boundary(a - 1) => paths::drive(ctx, a - 1, a, out),
            Anchor::EnvVar => {
                let s = a - b[..a].iter().rev().take(32).take_while(|c| ALNUM[usize::from(**c)]).count();
                (s < a && s > 0 && b[s - 1] == b'%').then(|| paths::env_or_unix(ctx, s, a, out)).flatten()
            }
            _ => None,
        };
        if let Some(e) = end {
            resume = e;
        }
    }
}

fn long_word(ctx: &Ctx<'_>, s: usize, e: usize, prev: Option<u8>, next: Option<u8>, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    let w = &b[s..e];
    if matches!(prev, Some(b'-' | b'_' | b'$' | b'.' | b'/' | b'+')) || matches!(next, Some(b'-' | b'_' | b'@' | b'/' | b'+')) {
        return None;
    }
    let kind_conf = if w.iter().all(u8::is_ascii_hexdigit) {
        hash(ctx, s, w)
    } else if w.len() == 42 && is_eth(w) {
        Some((IocType::Eth, 80))
    } else if (w[..3].eq_ignore_ascii_case(b"bc1") && is_btc_bech32(w)) || is_btc_base58(w) {
        Some((IocType::Btc, 90))
    } else if is_xmr(w) {
        Some((IocType::Xmr, 90))
    } else {
        None
    };
    let (kind, conf) = kind_conf?;
    let value = match kind {
        IocType::Btc if w[0] != b'1' && w[0] != b'3' => String::from_utf8_lossy(w).to_ascii_lowercase(),
        IocType::Btc | IocType::Xmr => String::from_utf8_lossy(w).into_owned(),
        _ => String::from_utf8_lossy(w).to_ascii_lowercase(),
    };
    let mut c = ctx.cand(kind, s, e, value, conf);
    c.flags.from_context = kind == IocType::Ja3;
    out.push(c);
    Some(e)
}

fn hash(ctx: &Ctx<'_>, s: usize, w: &[u8]) -> Option<(IocType, u8)> {
    let upper = w.iter().any(u8::is_ascii_uppercase);
    let lower = w.iter().any(u8::is_ascii_lowercase);
    if (upper && lower) || !(upper || lower) || !w.iter().any(u8::is_ascii_digit) {
        return None;
    }
    if context_has(ctx.bytes, s, 3, &NOT_HASH) {
        return None;
    }
    match w.len() {
        32 if context_has(ctx.bytes, s, 4, &JA3) => Some((IocType::Ja3, 85)),
        32 => Some((IocType::Md5, 85)),
        40 if context_has(ctx.bytes, s, 3, &GIT) => None,
        40 => Some((IocType::Sha1, 90)),
        64 => Some((IocType::Sha256, 95)),
        128 => Some((IocType::Sha512, 95)),
        _ => None,
    }
}

/// `T1059`, `T1059.001`, `TA0001`, within the ranges ATT&CK uses (Enterprise and Mobile
/// techniques T1001-T1699, ICS T0800-T0899, tactics TA0001-TA0043 and TA0100-TA0111).
fn attack(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    if s > 0 && matches!(b[s - 1], b'-' | b'.' | b'_' | b'/') {
        return None;
    }
    let w = std::str::from_utf8(&b[s..e]).ok()?;
    if !(w.len() == 5 || (w.len() == 6 && w.starts_with("TA"))) || !w[w.len() - 4..].bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if let Some(num) = w.strip_prefix("TA") {
        let n: u32 = num.parse().ok()?;
        let glued = matches!(b.get(e), Some(b'-' | b'_')) || (b.get(e) == Some(&b'.') && b.get(e + 1).is_some_and(u8::is_ascii_digit));
        if !((1..=43).contains(&n) || (100..=111).contains(&n)) || glued {
            return None;
        }
        out.push(ctx.cand(IocType::AttackTactic, s, e, w.to_string(), 90));
        return Some(e);
    }
    let n: u32 = w[1..].parse().ok()?;
    if !((1001..=1699).contains(&n) || (800..=899).contains(&n)) {
        return None;
    }
    let sub = b.get(e) == Some(&b'.')
        && b.len() >= e + 4
        && b[e + 1..e + 4].iter().all(u8::is_ascii_digit)
        && !b.get(e + 4).is_some_and(|c| is_alnum(*c) || *c == b'.');
    let end = if sub { e + 4 } else { e };
    if !sub && matches!(b.get(e), Some(b'-' | b'_')) {
        return None;
    }
    let value = std::str::from_utf8(&b[s..end]).ok()?.to_string();
    out.push(ctx.cand(IocType::AttackTechnique, s, end, value, 90));
    Some(end)
}

/// `AS13335`, `AS 13335`, `ASN 13335`, `ASN: 13335`; reserved and private numbers are skipped.
fn asn(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    let w = &b[s..e];
    let (ds, de) = if w.len() > 2 && w[2..].iter().all(u8::is_ascii_digit) {
        (s + 2, e)
    } else if w == b"AS" || w == b"ASN" {
        let mut p = e;
        while p < b.len() && p < e + 3 && matches!(b[p], b' ' | b':' | b'#' | b'=') {
            p += 1;
        }
        let q = p + b[p..].iter().take(11).take_while(|c| c.is_ascii_digit()).count();
        if q == p || b.get(q).is_some_and(|c| is_alnum(*c) || *c == b'.') {
            return None;
        }
        (p, q)
    } else {
        return None;
    };
    if s > 0 && matches!(b[s - 1], b'-' | b'_' | b'.') {
        return None;
    }
    let n: u64 = std::str::from_utf8(&b[ds..de]).ok()?.parse().ok()?;
    let reserved = n == 0 || n == 23456 || (64496..=65551).contains(&n) || n >= 4_200_000_000;
    if reserved || de - ds > 10 {
        return None;
    }
    out.push(ctx.cand(IocType::Asn, s, de, format!("AS{n}"), 70));
    Some(de)
}

/// `CVE-2024-3400`, case-insensitive, upper-cased.
fn cve(ctx: &Ctx<'_>, s: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    if s > 0 && matches!(b[s - 1], b'-' | b'_' | b'.') {
        return None;
    }
    let y = s + 4;
    if b.len() < y + 9 || !b[y..y + 4].iter().all(u8::is_ascii_digit) || b[y + 4] != b'-' {
        return None;
    }
    let ns = y + 5;
    let digits = b[ns..].iter().take(8).take_while(|c| c.is_ascii_digit()).count();
    let end = ns + digits;
    if !(4..=7).contains(&digits) || b.get(end).is_some_and(|c| is_alnum(*c)) {
        return None;
    }
    let year: u32 = std::str::from_utf8(&b[y..y + 4]).ok()?.parse().ok()?;
    if !(1999..=2099).contains(&year) {
        return None;
    }
    let value = format!("CVE-{}", std::str::from_utf8(&b[y..end]).ok()?);
    out.push(ctx.cand(IocType::Cve, s, end, value, 95));
    Some(end)
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasickBuilder, MatchKind};

    use super::*;

    /// The in-place matcher reports what a leftmost-first Aho-Corasick search over the whole
    /// text reports (the implementation it replaced).
    #[test]
    fn anchor_matches_equal_an_aho_corasick_search() {
        let ac = AhoCorasickBuilder::new().match_kind(MatchKind::LeftmostFirst).build(ANCHORS.iter().map(|a| a.0)).unwrap();
        const ALPHABET: &[u8] = b"CVEcve-T01ASHKmutexMUTEXantMutant:\\%  .a";
        let mut seed = 0x0bad_cafe_1234_5678u64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut texts: Vec<Vec<u8>> = vec![b"TAS TASK T1A CVE-CVE- cve-Cve-CVe- HKLM MUTEXmutex Mutantmutant C:\\ %\\ ASAS".to_vec()];
        for _ in 0..3000 {
            let len = rnd(80);
            texts.push((0..len).map(|_| ALPHABET[rnd(ALPHABET.len())]).collect());
        }
        for t in &texts {
            let text = String::from_utf8_lossy(t);
            let anchors = crate::anchors::Anchors::new(text.as_bytes());
            let ctx = Ctx::with_anchors(&text, &[], &anchors);
            let want: Vec<_> = ac.find_iter(text.as_bytes()).map(|m| (m.start(), m.end(), ANCHORS[m.pattern().as_usize()].1)).collect();
            assert_eq!(anchor_matches(&ctx).collect::<Vec<_>>(), want, "{text:?}");
        }
    }
}
