//! Runs of ASCII letters and digits: hashes (and JA3 by context), wallets, CVE ids, ATT&CK
//! ids, ASNs, and the anchors of registry keys, paths and mutexes (handed to `paths`).
//!
//! The loop classifies each byte once; a word that starts a longer indicator (a path, a
//! CVE) moves the cursor past that indicator.

use super::paths;
use super::{Cand, Ctx};
use crate::crypto::{is_btc_base58, is_btc_bech32, is_eth, is_xmr};
use crate::lex::{context_has, is_alnum};
use crate::types::IocType;

const JA3_WORDS: &[&str] = &["ja3", "ja3s", "ja3_hash", "ja3hash", "ja3_digest", "ja3s_hash", "ja3_md5"];
const GIT_WORDS: &[&str] = &["commit", "commits", "git", "rev", "revision", "changeset", "merge", "tree", "blob", "head"];
const NOT_HASH_WORDS: &[&str] = &["imphash", "ssdeep", "tlsh", "guid", "uuid", "clsid", "serial", "thumbprint", "jarm", "ja4", "request-id", "trace"];

pub(super) fn scan(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    let b = ctx.bytes;
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !is_alnum(b[i]) {
            i += 1;
            continue;
        }
        let s = i;
        while i < n && is_alnum(b[i]) {
            i += 1;
        }
        if let Some(end) = word(ctx, s, i, out) {
            i = i.max(end);
            // Never resume in the middle of a word.
            while i < n && i > 0 && is_alnum(b[i - 1]) && is_alnum(b[i]) {
                i += 1;
            }
        }
    }
}

/// Looks at the word `[s, e)`; returns the end of an emitted candidate.
fn word(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    let w = &b[s..e];
    let len = w.len();
    let prev = s.checked_sub(1).map(|k| b[k]);
    let next = b.get(e).copied();
    if len < 2 {
        return paths::drive(ctx, s, e, out);
    }
    if len >= 26 {
        return long_word(ctx, s, e, prev, next, out);
    }
    match w[0] {
        b'T' if len == 5 && w[1..].iter().all(u8::is_ascii_digit) => attack(ctx, s, e, out),
        b'T' if len == 6 && w[1] == b'A' && w[2..].iter().all(u8::is_ascii_digit) => attack(ctx, s, e, out),
        b'A' if w.starts_with(b"AS") => asn(ctx, s, e, out),
        b'C' | b'c' if w.eq_ignore_ascii_case(b"cve") && next == Some(b'-') => cve(ctx, s, out),
        b'H' | b'h' if w.len() <= 4 || w.eq_ignore_ascii_case(b"hkey") => paths::registry(ctx, s, e, out),
        b'M' | b'm' if w.eq_ignore_ascii_case(b"mutex") || w.eq_ignore_ascii_case(b"mutant") => paths::mutex(ctx, e, out),
        _ => paths::env_or_unix(ctx, s, e, out),
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
    } else if w[..3].eq_ignore_ascii_case(b"bc1") && is_btc_bech32(w) {
        Some((IocType::Btc, 90))
    } else if is_btc_base58(w) {
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
    if context_has(ctx.bytes, s, 3, NOT_HASH_WORDS) {
        return None;
    }
    match w.len() {
        32 if context_has(ctx.bytes, s, 4, JA3_WORDS) => Some((IocType::Ja3, 85)),
        32 => Some((IocType::Md5, 85)),
        40 if context_has(ctx.bytes, s, 3, GIT_WORDS) => None,
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
    let reserved = n == 0
        || n == 23456
        || (64496..=65551).contains(&n)
        || n >= 4_200_000_000;
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
