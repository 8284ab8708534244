//! IP address parsing with the strictness chat text needs: no leading zeros, exactly four
//! IPv4 parts, and IPv6 only when it cannot be a clock time or a MAC address.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Parses a dotted quad; rejects leading zeros (`010.1.1.1`), fewer or more than four
/// parts, and parts above 255. Accepts exactly what `Ipv4Addr::from_str` accepts (four
/// parts of one to three digits, no leading zero, at most 255), without its generic parser.
pub fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (k, o) in octets.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let start = i;
        let mut v: u16 = 0;
        while i < b.len() && i - start < 3 && b[i].is_ascii_digit() {
            v = v * 10 + u16::from(b[i] - b'0');
            i += 1;
        }
        if i == start || (b[start] == b'0' && i - start > 1) || v > 255 {
            return None;
        }
        *o = v as u8;
    }
    (i == b.len()).then(|| Ipv4Addr::from(octets))
}

/// `addr.to_string()`, without the formatting machinery.
pub fn ipv4_string(addr: Ipv4Addr) -> String {
    let mut buf = [0u8; 15];
    let n = write_ipv4(&mut buf, addr);
    String::from(std::str::from_utf8(&buf[..n]).expect("ASCII digits and dots"))
}

/// `format!("{net}/{len}")` for an IPv4 network.
pub fn ipv4_cidr_string(net: Ipv4Addr, len: u8) -> String {
    let mut buf = [0u8; 19];
    let mut n = write_ipv4(&mut buf, net);
    buf[n] = b'/';
    n += 1 + write_u8(&mut buf[n + 1..], len);
    String::from(std::str::from_utf8(&buf[..n]).expect("ASCII digits and dots"))
}

fn write_ipv4(buf: &mut [u8], addr: Ipv4Addr) -> usize {
    let mut n = 0;
    for (k, o) in addr.octets().into_iter().enumerate() {
        if k > 0 {
            buf[n] = b'.';
            n += 1;
        }
        n += write_u8(&mut buf[n..], o);
    }
    n
}

/// Writes `v` in decimal at the start of `buf`; returns the length.
fn write_u8(buf: &mut [u8], v: u8) -> usize {
    if v >= 100 {
        buf[..3].copy_from_slice(&[b'0' + v / 100, b'0' + v / 10 % 10, b'0' + v % 10]);
        3
    } else if v >= 10 {
        buf[..2].copy_from_slice(&[b'0' + v / 10, b'0' + v % 10]);
        2
    } else {
        buf[0] = b'0' + v;
        1
    }
}

/// Parses an IPv6 address written in chat. Requires at least two colons, and either
/// eight groups, or `::` with at least three written groups, or a long first group
/// (`fe80::1`). A trailing IPv4 part is allowed (`::ffff:192.0.2.1`).
pub fn parse_ipv6(s: &str) -> Option<Ipv6Addr> {
    if s.len() > 45 || s.bytes().filter(|&b| b == b':').count() < 2 {
        return None;
    }
    let addr: Ipv6Addr = s.parse().ok()?;
    let groups: Vec<&str> = s.split(':').filter(|g| !g.is_empty()).collect();
    let compressed = s.contains("::");
    let ok = !compressed || groups.len() >= 3 || groups.first().is_some_and(|g| g.len() == 4 && s.starts_with(g)) || s.contains('.') || s == "::1";
    ok.then_some(addr)
}

/// Masks host bits so `194.26.29.7/24` becomes `194.26.29.0/24`.
pub fn ipv4_network(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    let bits = u32::from(addr);
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) };
    Ipv4Addr::from(bits & mask)
}

/// Masks host bits of an IPv6 network.
pub fn ipv6_network(addr: Ipv6Addr, prefix: u8) -> Ipv6Addr {
    let bits = u128::from(addr);
    let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(prefix)) };
    Ipv6Addr::from(bits & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_strict() {
        assert!(parse_ipv4("45.137.21.9").is_some());
        for bad in ["010.1.1.1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04"] {
            assert!(parse_ipv4(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ipv6_rejects_times_and_macs() {
        assert!(parse_ipv6("2001:db8::1").is_some());
        assert!(parse_ipv6("fe80::1").is_some());
        assert!(parse_ipv6("::ffff:192.0.2.1").is_some());
        assert!(parse_ipv6("2001:0db8:0000:0000:0000:ff00:0042:8329").is_some());
        for bad in ["23:06:41", "00:1a:2b:3c:4d:5e", "12::30", "a::b", "::"] {
            assert!(parse_ipv6(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ipv4_parsing_and_printing_match_the_standard_library() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const ALPHABET: &[u8] = b"0123456789012345678901.....-+a ";
        let mut inputs: Vec<String> =
            ["1.2.3.4", "255.255.255.255", "0.0.0.0", "256.1.1.1", "01.1.1.1", "1.1.1.", ".1.1.1", "1..1.1", "1.1.1.1.1", "1.1.1.0001", "١.2.3.4"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        for _ in 0..200_000 {
            let len = rnd(17);
            inputs.push((0..len).map(|_| char::from(ALPHABET[rnd(ALPHABET.len())])).collect());
        }
        for s in &inputs {
            let std: Option<Ipv4Addr> = if s.len() > 15 { None } else { s.parse().ok() };
            assert_eq!(parse_ipv4(s), std, "{s:?}");
        }
        for _ in 0..100_000 {
            let a = Ipv4Addr::from((seed_u32(&mut rnd)).to_be_bytes());
            let len = rnd(33) as u8;
            assert_eq!(ipv4_string(a), a.to_string());
            assert_eq!(ipv4_cidr_string(a, len), format!("{a}/{len}"));
        }
        for a in [Ipv4Addr::new(0, 0, 0, 0), Ipv4Addr::new(255, 255, 255, 255), Ipv4Addr::new(10, 100, 9, 99)] {
            assert_eq!(ipv4_string(a), a.to_string());
        }
    }

    fn seed_u32(rnd: &mut impl FnMut(usize) -> usize) -> u32 {
        let hi = rnd(1 << 16) as u32;
        let lo = rnd(1 << 16) as u32;
        // Bias towards short octets, which exercise the one- and two-digit paths.
        let v = (hi << 16) | lo;
        if rnd(2) == 0 { v & 0x3f3f_3f3f } else { v }
    }

    #[test]
    fn networks_are_masked() {
        assert_eq!(ipv4_network("194.26.29.7".parse().unwrap(), 24).to_string(), "194.26.29.0");
        assert_eq!(ipv6_network("2001:db8::1".parse().unwrap(), 32).to_string(), "2001:db8::");
    }
}
