//! IPv6 addresses (and `/prefix` networks, `[addr]:port`), anchored on `:`. A run of hex
//! digits, colons and dots is read once; only runs that parse and cannot be a clock time or
//! a MAC address become candidates.

use super::{Cand, Ctx};
use crate::anchors::Class;
use crate::lex::{char_before, extend_back, extend_fwd};
use crate::net::{ipv6_network, parse_ipv6};
use crate::types::IocType;

fn is_v6(c: char) -> bool {
    c.is_ascii_hexdigit() || c == ':' || c == '.'
}

pub(super) fn scan(ctx: &Ctx<'_>, out: &mut Vec<Cand>) {
    if !ctx.anchors.has(Class::Colon) {
        return;
    }
    let (text, b) = (ctx.text, ctx.bytes);
    let mut pos = 0;
    for colon in ctx.anchors.iter(Class::Colon) {
        if colon < pos {
            continue;
        }
        let mut s = extend_back(text, colon, pos, is_v6);
        let mut e = extend_fwd(text, colon, usize::MAX, is_v6);
        pos = e;
        if e - s > 60 {
            continue;
        }
        while s < e && (b[s] == b'.' || (b[s] == b':' && b.get(s + 1) != Some(&b':'))) {
            s += 1;
        }
        while e > s && (b[e - 1] == b'.' || (b[e - 1] == b':' && (e < s + 2 || b[e - 2] != b':'))) {
            e -= 1;
        }
        if e <= s
            || char_before(text, s).is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            || b.get(e).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
        {
            continue;
        }
        let Some(addr) = parse_ipv6(&text[s..e]) else {
            continue;
        };
        // `/64` after the address: a network.
        let digits = b[e..].iter().skip(1).take(4).take_while(|c| c.is_ascii_digit()).count();
        if b.get(e) == Some(&b'/') && (1..=3).contains(&digits) {
            let end = e + 1 + digits;
            let len: u8 = text[e + 1..end].parse().unwrap_or(255);
            if len <= 128 && !b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
                let net = ipv6_network(addr, len);
                let mut c = ctx.cand(IocType::Ipv6Cidr, s, end, format!("{net}/{len}"), 70);
                c.net = Some((net.into(), Some(len)));
                out.push(c);
                continue;
            }
        }
        let mut c = ctx.cand(IocType::Ipv6, s, e, addr.to_string(), 70);
        c.net = Some((addr.into(), None));
        // `[addr]:port`
        if s > 0 && b[s - 1] == b'[' && b.get(e) == Some(&b']') {
            let (port, after) = super::dotted::port_at(b, e + 1);
            if port.is_some() {
                c.start = s - 1;
                c.end = after;
                c.port = port;
            }
        }
        out.push(c);
    }
}
