//! Dotted tokens: IPv4 (with port, CIDR or path), domains, scheme-less URLs and file names.
//!
//! A dotted token is a maximal run of letters, digits, `-`, `_` and `.` that contains a dot.
//! Tokens are found from each `.` and never overlap, so each byte is looked at a constant
//! number of times.

use super::url::{canonical, parse_authority, tail_end};
use super::{Cand, Ctx};
use crate::anchors::Class;
use crate::host::{FILE_EXT_SET, FILE_EXT_TLD_SET, STRONG_FILE_EXT_SET, ext_in, parse_domain};
use crate::lex::{WordSet, char_at, char_before, context_has, extend_back, extend_fwd, is_host_char};
use crate::net::{ipv4_cidr_string, ipv4_network, ipv4_string, parse_ipv4};
use crate::types::IocType;

/// Words that, just before a dotted quad, say it is a version number.
const VERSION_WORDS: &[&str] = &[
    "version",
    "versions",
    "ver",
    "v",
    "build",
    "release",
    "firmware",
    "fw",
    "rev",
    "revision",
    "agent",
    "upgrade",
    "upgraded",
    "update",
    "updated",
    "patched",
    "fixed",
    "fix",
    "prior",
    "through",
    "before",
    "sdk",
    "kernel",
    "driver",
    "package",
    "pkg",
    "oid",
    "mib",
    "snmp",
    "older",
    "newer",
    "earlier",
    "section",
    "chapter",
    "step",
    "paragraph",
    "clause",
    "netrange",
    "inetnum",
    "range",
];

static VERSION: WordSet = WordSet::new(VERSION_WORDS);
static DOMAIN: WordSet = WordSet::new(DOMAIN_WORDS);
static FILE: WordSet = WordSet::new(FILE_WORDS);

/// Words that make an ambiguous token (`setup.zip`) a domain.
const DOMAIN_WORDS: &[&str] = &[
    "domain",
    "domains",
    "c2",
    "c&c",
    "cnc",
    "host",
    "hostname",
    "hostnames",
    "resolves",
    "resolved",
    "resolving",
    "dns",
    "beacon",
    "beacons",
    "beaconing",
    "callback",
    "contacted",
    "contacts",
    "connects",
    "fqdn",
    "typosquat",
    "lookalike",
    "registered",
    "sinkholed",
];

/// Words that make a token with a file extension a file name.
const FILE_WORDS: &[&str] = &[
    "dropped",
    "drops",
    "drop",
    "dropper",
    "dropping",
    "file",
    "filename",
    "files",
    "attachment",
    "attached",
    "attachments",
    "named",
    "saved",
    "writes",
    "wrote",
    "written",
    "downloads",
    "downloaded",
    "executes",
    "executed",
    "launches",
    "launched",
    "loads",
    "loaded",
    "payload",
    "sample",
    "archive",
    "lure",
    "unpacks",
    "extracts",
    "creates",
    "created",
    "installs",
    "renamed",
    "masquerading",
    "opened",
    "spawns",
    "spawned",
    "binary",
    "script",
    "document",
    "delivered",
    "webshell",
    "shell",
    "implant",
    "loader",
    "stealer",
    "note",
];

pub(super) fn scan(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    if !ctx.anchors.has(Class::Dot) {
        return;
    }
    let mut pos = 0;
    for d in ctx.anchors.iter(Class::Dot) {
        if d < pos {
            continue;
        }
        // A dot followed by a byte that ends the token (a sentence end): no dot of the same
        // token came before it (it would have consumed this one), so once the trailing dot
        // is trimmed the token has none and cannot be an indicator.
        if ctx.bytes.get(d + 1).is_none_or(|&c| c.is_ascii() && !is_host_char(char::from(c))) {
            pos = d + 1;
            continue;
        }
        let s = extend_back(ctx.text, d, pos, is_host_char);
        let e = extend_fwd(ctx.text, d, usize::MAX, is_host_char);
        pos = e;
        if let Some(end) = token(ctx, s, e, out) {
            pos = pos.max(end);
        }
    }
}

/// Analyses one token; returns the end of the last candidate when it ran past the token.
fn token(ctx: &Ctx<'_>, mut s: usize, mut e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    while s < e && matches!(b[s], b'.' | b'-' | b'_') {
        s += 1;
    }
    while e > s && matches!(b[e - 1], b'.' | b'-' | b'_') {
        e -= 1;
    }
    let tok = &ctx.text[s..e];
    if !tok.bytes().any(|c| c == b'.') {
        return None;
    }
    if let Some('@' | '/' | '\\' | '%' | '$' | '&' | '?' | '#' | '~') = char_before(ctx.text, s) {
        return None;
    }
    if let Some('@' | '(' | '\\') = char_at(ctx.text, e) {
        return None;
    }
    if tok.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b'-') {
        return ipv4_parts(ctx, s, e, out);
    }
    named(ctx, s, e, out)
}

/// `1.2.3.4`, `10.0.0.1-10.0.0.9`; the last part may carry `:port`, `/cidr` or a path.
fn ipv4_parts(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let mut last = None;
    let mut ps = s;
    // The parts between dashes (the token is ASCII digits, dots and dashes).
    for part in ctx.bytes[s..e].split(|&c| c == b'-') {
        let pe = ps + part.len();
        if let Some(addr) = parse_ipv4(&ctx.text[ps..pe])
            && !context_has(ctx.bytes, ps, 3, &VERSION)
        {
            last = ipv4(ctx, ps, pe, pe == e, addr, out);
        }
        ps = pe + 1;
    }
    last
}

fn ipv4(ctx: &Ctx<'_>, s: usize, e: usize, tail: bool, addr: std::net::Ipv4Addr, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    let mut c = ctx.cand(IocType::Ipv4, s, e, ipv4_string(addr), 75);
    c.net = Some((addr.into(), None));
    if tail {
        let (port, after_port) = port_at(b, e);
        if b.get(after_port) == Some(&b'/') {
            if port.is_none()
                && let Some((len, end)) = cidr_at(b, e)
            {
                let net = ipv4_network(addr, len);
                c = ctx.cand(IocType::Ipv4Cidr, s, end, ipv4_cidr_string(net, len), 70);
                c.net = Some((net.into(), Some(len)));
                out.push(c);
                return Some(end);
            }
            if let Some(u) = schemeless(ctx, s, after_port) {
                out.push(u);
                return out.last().map(|u| u.end);
            }
        }
        if port.is_some() {
            c.end = after_port;
            c.port = port;
        }
    }
    let end = c.end;
    out.push(c);
    Some(end)
}

/// `:1234` at `pos`, followed by a non-digit: the port and the position after it.
pub(super) fn port_at(b: &[u8], pos: usize) -> (Option<u16>, usize) {
    if b.get(pos) != Some(&b':') {
        return (None, pos);
    }
    let digits = b[pos + 1..].iter().take(6).take_while(|c| c.is_ascii_digit()).count();
    let end = pos + 1 + digits;
    if digits == 0 || digits > 5 || b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b':') {
        return (None, pos);
    }
    match std::str::from_utf8(&b[pos + 1..end]).ok().and_then(|p| p.parse::<u16>().ok()) {
        Some(p) if p > 0 => (Some(p), end),
        _ => (None, pos),
    }
}

/// `/24` at `pos`, followed by a boundary: the prefix length and the position after it.
fn cidr_at(b: &[u8], pos: usize) -> Option<(u8, usize)> {
    let digits = b[pos + 1..].iter().take(3).take_while(|c| c.is_ascii_digit()).count();
    let end = pos + 1 + digits;
    if digits == 0 || digits > 2 || b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'.' | b'-' | b'_')) {
        return None;
    }
    let len: u8 = std::str::from_utf8(&b[pos + 1..end]).ok()?.parse().ok()?;
    (len <= 32).then_some((len, end))
}

/// A host followed by `/path`: a URL without scheme, canonicalised with `http://`.
fn schemeless(ctx: &Ctx<'_>, s: usize, slash: usize) -> Option<Cand> {
    let next = char_at(ctx.text, slash + 1)?;
    if next.is_whitespace() || matches!(next, '<' | '>' | '"' | '\'' | '`' | '|' | ')' | ']' | '/') {
        return None;
    }
    let end = crate::lex::trim_trailing(ctx.text, s, tail_end(ctx.text, slash));
    if end <= slash + 1 {
        return None;
    }
    let auth = parse_authority(&ctx.text[s..slash])?;
    let value = canonical("http", &auth, &ctx.text[slash..end]);
    let mut c = ctx.cand(IocType::Url, s, end, value, 70);
    c.flags = auth.flags;
    Some(c)
}

/// Tokens with letters: domain (maybe with port or path), or file name.
fn named(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    let tok = &ctx.text[s..e];
    let tb = tok.as_bytes();
    // Byte searches for ASCII separators (exact in UTF-8): the last label, the first label,
    // the number of dots.
    let ext = tb.iter().rposition(|&c| c == b'.').map_or(tok, |i| &tok[i + 1..]);
    let defanged = ctx.defanged(s, e);
    let (port, after_port) = port_at(b, e);
    let slash_follows = b.get(after_port) == Some(&b'/');
    let first = tb.iter().position(|&c| c == b'.').map_or(tok, |i| &tok[..i]);
    let dots = tb.iter().filter(|&&c| c == b'.').count();
    let package = dots >= 2 && ["com", "org", "net", "io", "de", "uk", "android", "java", "javax"].contains(&first);
    let domain = if tb.contains(&b'_') || package { None } else { parse_domain(tok) };
    if let Some(h) = domain {
        let ambiguous = ext_in(ext, &FILE_EXT_TLD_SET);
        // `ASP.NET`, `VB.NET`: a short upper-case word before an upper-case TLD.
        let shouting =
            tok.bytes().all(|c| !c.is_ascii_lowercase()) && dots == 1 && first.len() <= 4 && first.bytes().all(|c| c.is_ascii_alphabetic());
        let ctx_word = ambiguous && context_has(b, s, 3, &DOMAIN);
        let plain = !defanged && port.is_none() && !slash_follows;
        if !(plain && ((ambiguous && !ctx_word) || shouting)) {
            if slash_follows && let Some(u) = schemeless(ctx, s, after_port) {
                let end = u.end;
                out.push(u);
                return Some(end);
            }
            let mut c = ctx.cand(IocType::Domain, s, e, h.ascii, if defanged { 65 } else { 60 });
            c.flags.idn = h.idn;
            c.flags.idn_mixed_script = h.mixed_script;
            c.flags.from_context = ctx_word;
            if port.is_some() {
                c.end = after_port;
                c.port = port;
            }
            let end = c.end;
            out.push(c);
            return Some(end);
        }
    }
    file_name(ctx, s, e, ext, out)
}

fn file_name(ctx: &Ctx<'_>, s: usize, e: usize, ext: &str, out: &mut Vec<Cand>) -> Option<usize> {
    if !ext_in(ext, &FILE_EXT_SET) || !ctx.text.is_char_boundary(s) || e - s > 255 {
        return None;
    }
    let stem = &ctx.text[s..e - ext.len() - 1];
    if stem.is_empty() || !stem.bytes().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let strong = ext_in(ext, &STRONG_FILE_EXT_SET);
    let context = context_has(ctx.bytes, s, 3, &FILE);
    if !strong && !context {
        return None;
    }
    let mut c = ctx.cand(IocType::FileName, s, e, ctx.text[s..e].to_string(), if context { 65 } else { 45 });
    c.flags.from_context = context;
    out.push(c);
    Some(e)
}
