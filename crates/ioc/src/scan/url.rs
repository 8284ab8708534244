//! URLs with a scheme (`https://`, refanged `hxxps[:]//`), and the shared code that finds
//! where a URL ends and builds its canonical form (also used for scheme-less URLs such as
//! `evil[.]com/gate.php`, found by the dotted-token scanner).

use super::{Cand, Ctx};
use crate::anchors::Class;
use crate::host::parse_domain;
use crate::lex::{char_at, is_alnum, trim_trailing};
use crate::net::{ipv4_string, parse_ipv4, parse_ipv6};
use crate::types::{Flags, IocType};

/// URLs longer than this are skipped (their region is still consumed).
const MAX_URL: usize = 8192;
const MAX_AUTHORITY: usize = 512;
const SCHEMES: &[&str] = &["http", "https", "ftp", "ftps", "sftp", "ws", "wss", "ldap", "ldaps", "rmi"];

/// ASCII bytes that end a URL wherever they appear.
static ASCII_DELIM: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = c.is_ascii_whitespace() || c.is_ascii_control() || matches!(c, b'<' | b'>' | b'"' | b'`' | b'|' | b'\'' | b'{' | b'}' | b'\\' | b'^');
        i += 1;
    }
    t
};

/// Whether `c` ends a URL wherever it appears.
#[inline]
fn is_delim(c: char) -> bool {
    if c.is_ascii() { ASCII_DELIM[c as usize] } else { !c.is_alphanumeric() }
}

/// The char at byte `pos` of `text`, decoding only non-ASCII bytes.
#[inline]
fn next_char(text: &str, pos: usize) -> Option<char> {
    match text.as_bytes().get(pos) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        Some(_) => char_at(text, pos),
        None => None,
    }
}

/// The end of a URL's path/query/fragment starting at `from`: the first delimiter or
/// unbalanced closing bracket. Linear in the bytes consumed.
pub(super) fn tail_end(text: &str, from: usize) -> usize {
    let (mut paren, mut square) = (0usize, 0usize);
    let mut pos = from;
    while let Some(c) = next_char(text, pos) {
        match c {
            '(' => paren += 1,
            '[' => square += 1,
            ')' if paren == 0 => break,
            ']' if square == 0 => break,
            ')' => paren -= 1,
            ']' => square -= 1,
            c if is_delim(c) => break,
            _ => {}
        }
        pos += c.len_utf8();
    }
    pos
}

/// A parsed authority: canonical host plus optional port.
pub(super) struct Authority {
    pub userinfo: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    pub flags: Flags,
}

/// Parses `user@host:port`; the host must be a public domain name or an IP literal.
pub(super) fn parse_authority(auth: &str) -> Option<Authority> {
    let (userinfo, hostport) = match auth.rfind('@') {
        Some(i) => (Some(auth[..i].to_string()), &auth[i + 1..]),
        None => (None, auth),
    };
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let close = rest.find(']')?;
        let port = rest[close + 1..].strip_prefix(':');
        (&rest[..close], port)
    } else {
        match hostport.rfind(':') {
            Some(i) => (&hostport[..i], Some(&hostport[i + 1..])),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|&p| p > 0)?),
        None => None,
    };
    let mut flags = Flags::default();
    let canon = if let Some(v4) = parse_ipv4(host) {
        ipv4_string(v4)
    } else if hostport.starts_with('[') {
        format!("[{}]", parse_ipv6(host)?)
    } else {
        let h = parse_domain(host)?;
        flags.idn = h.idn;
        flags.idn_mixed_script = h.mixed_script;
        h.ascii
    };
    Some(Authority { userinfo, host: canon, port, flags })
}

/// Builds the canonical URL: lower-case scheme and host, default port dropped, the rest
/// as written.
pub(super) fn canonical(scheme: &str, a: &Authority, rest: &str) -> String {
    let mut v = String::with_capacity(scheme.len() + a.host.len() + rest.len() + 8);
    v.push_str(scheme);
    v.push_str("://");
    if let Some(u) = &a.userinfo {
        v.push_str(u);
        v.push('@');
    }
    v.push_str(&a.host);
    let default = matches!((scheme, a.port), ("http", Some(80)) | ("https", Some(443)) | ("ftp", Some(21)));
    if let (Some(p), false) = (a.port, default) {
        v.push(':');
        v.push_str(&p.to_string());
    }
    v.push_str(rest);
    v
}

pub(super) fn scan(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    if !ctx.anchors.has(Class::Colon) {
        return;
    }
    let (text, bytes) = (ctx.text, ctx.bytes);
    let mut resume = 0;
    // Each `://`: a colon followed by two slashes (occurrences cannot overlap).
    for i in ctx.anchors.iter(Class::Colon) {
        if i < resume || bytes.get(i + 1..i + 3) != Some(b"//") {
            continue;
        }
        let mut s = i;
        while s > 0 && i - s < 6 && bytes[s - 1].is_ascii_alphabetic() {
            s -= 1;
        }
        if s == i || (s > 0 && is_alnum(bytes[s - 1])) {
            continue;
        }
        let scheme = text[s..i].to_ascii_lowercase();
        if !SCHEMES.contains(&scheme.as_str()) {
            continue;
        }
        let a_start = i + 3;
        let mut a_end = a_start;
        while let Some(c) = next_char(text, a_end) {
            let bracketed = bytes.get(a_start) == Some(&b'[');
            if a_end - a_start > MAX_AUTHORITY || matches!(c, '/' | '?' | '#' | '(' | ')') || (!bracketed && matches!(c, '[' | ']')) || is_delim(c) {
                break;
            }
            a_end += c.len_utf8();
        }
        let tail = tail_end(text, a_end);
        resume = tail;
        let end = trim_trailing(text, s, tail);
        let a_trim = a_end.min(end);
        if a_trim <= a_start || end - s > MAX_URL {
            continue;
        }
        let Some(auth) = parse_authority(&text[a_start..a_trim]) else {
            continue;
        };
        let value = canonical(&scheme, &auth, &text[a_trim..end]);
        let mut c = ctx.cand(IocType::Url, s, end, value, 80);
        c.flags = auth.flags;
        out.push(c);
        // Slack/Mattermost `<url|label>`: the label repeats the link; hide it.
        if s > 0 && bytes[s - 1] == b'<' && bytes.get(tail) == Some(&b'|') {
            let window = &bytes[tail..bytes.len().min(tail + 512)];
            if let Some(gt) = window.iter().position(|&b| b == b'>' || b == b'\n').filter(|&i| window[i] == b'>') {
                let mut shadow = ctx.cand(IocType::Url, tail, tail + gt + 1, String::new(), 0);
                shadow.shadow = true;
                out.push(shadow);
                resume = tail + gt + 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(t: &str) -> Vec<String> {
        let anchors = crate::anchors::Anchors::new(t.as_bytes());
        let ctx = Ctx::with_anchors(t, &[], &anchors);
        let mut out = Vec::new();
        scan(&ctx, &mut out);
        out.into_iter().filter(|c| !c.shadow).map(|c| c.value).collect()
    }

    #[test]
    fn finds_and_trims_urls() {
        assert_eq!(urls("see (https://Evil.COM/a_(b)?x=1)."), ["https://evil.com/a_(b)?x=1"]);
        assert_eq!(urls("<http://evil.com:80/x|label>"), ["http://evil.com/x"]);
        assert_eq!(urls("[text](https://evil.com/p)"), ["https://evil.com/p"]);
        assert_eq!(urls("http://1.2.3.4:8080/x.sh"), ["http://1.2.3.4:8080/x.sh"]);
        assert_eq!(urls("http://[2001:db8::1]:443/"), ["http://[2001:db8::1]:443/"]);
        assert!(urls("http://localhost/x http://intranet/ c://x").is_empty());
    }
}
