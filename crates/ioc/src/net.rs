//! IP address parsing with the strictness chat text needs: no leading zeros, exactly four
//! IPv4 parts, and IPv6 only when it cannot be a clock time or a MAC address.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Parses a dotted quad; rejects leading zeros (`010.1.1.1`), fewer or more than four
/// parts, and parts above 255.
pub fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    if s.len() > 15 {
        return None;
    }
    // The standard parser is already strict about leading zeros and part counts.
    s.parse().ok()
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
    fn networks_are_masked() {
        assert_eq!(ipv4_network("194.26.29.7".parse().unwrap(), 24).to_string(), "194.26.29.0");
        assert_eq!(ipv6_network("2001:db8::1".parse().unwrap(), 32).to_string(), "2001:db8::");
    }
}
