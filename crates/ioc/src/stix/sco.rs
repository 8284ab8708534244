//! STIX Cyber-observable Objects with deterministic ids (STIX 2.1 §2.9): UUIDv5 in the
//! namespace `00abedb4-aa42-466c-9c01-fed23315a9b7` over the RFC 8785 (JCS) serialisation of
//! the id-contributing properties. The JCS writer is local so that no serde_json feature
//! flag elsewhere in a build (such as `preserve_order`) can change the key order.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::types::{Finding, IocType};

/// The STIX 2.1 namespace for SCO ids.
pub const SCO_NAMESPACE: Uuid = Uuid::from_u128(0x00abedb4_aa42_466c_9c01_fed23315a9b7);

/// RFC 8785 canonical JSON for the values STIX ids are computed over (strings, integers,
/// booleans, null, arrays and objects; keys sorted by UTF-16 code units).
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_jcs(v, &mut out);
    out
}

fn write_jcs(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jcs(&Value::String((*k).clone()), out);
                out.push(':');
                write_jcs(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_jcs(x, out);
            }
            out.push(']');
        }
        Value::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// `<type>--uuid5(SCO namespace, JCS(contributing))`.
pub fn sco_id(sco_type: &str, contributing: &Value) -> String {
    let name = canonical_json(contributing);
    format!("{sco_type}--{}", Uuid::new_v5(&SCO_NAMESPACE, name.as_bytes()))
}

/// The STIX hash algorithm name for a hash type.
pub fn hash_name(kind: IocType) -> Option<&'static str> {
    match kind {
        IocType::Md5 => Some("MD5"),
        IocType::Sha1 => Some("SHA-1"),
        IocType::Sha256 => Some("SHA-256"),
        IocType::Sha512 => Some("SHA-512"),
        _ => None,
    }
}

/// The SCO for a canonical value, or `None` for types without a standard SCO (CVE and
/// ATT&CK ids are SDOs, wallets and JA3 have no standard object, paths need two objects).
pub fn sco_for_value(kind: IocType, value: &str) -> Option<Value> {
    let (ty, props) = match kind {
        IocType::Ipv4 | IocType::Ipv4Cidr => ("ipv4-addr", json!({ "value": value })),
        IocType::Ipv6 | IocType::Ipv6Cidr => ("ipv6-addr", json!({ "value": value })),
        IocType::Domain => ("domain-name", json!({ "value": value })),
        IocType::Url if is_uri(value) => ("url", json!({ "value": value })),
        IocType::Email => ("email-addr", json!({ "value": value })),
        IocType::Md5 | IocType::Sha1 | IocType::Sha256 | IocType::Sha512 => ("file", json!({ "hashes": { hash_name(kind)?: value } })),
        IocType::FileName => ("file", json!({ "name": value })),
        IocType::Mutex => ("mutex", json!({ "name": value })),
        IocType::RegistryKey => ("windows-registry-key", json!({ "key": value })),
        IocType::Asn => ("autonomous-system", json!({ "number": value.trim_start_matches("AS").parse::<u64>().ok()? })),
        _ => return None,
    };
    let id = sco_id(ty, &props);
    let mut obj = Map::new();
    obj.insert("type".into(), json!(ty));
    obj.insert("spec_version".into(), json!("2.1"));
    obj.insert("id".into(), json!(id));
    if let Value::Object(p) = props {
        obj.extend(p);
    }
    Some(Value::Object(obj))
}

/// Whether `v` is a syntactically valid RFC 3986 URI (ASCII, allowed characters only,
/// `%` followed by two hex digits). `url` SCOs require one; other URLs keep their
/// indicator pattern but get no SCO.
pub fn is_uri(v: &str) -> bool {
    let b = v.as_bytes();
    let allowed = |c: u8| c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&c);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if b.len() > i + 2 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() => i += 3,
            c if allowed(c) => i += 1,
            _ => return false,
        }
    }
    v.contains("://")
}

/// The SCO for a finding (see [`sco_for_value`]).
pub fn sco_for(f: &Finding) -> Option<Value> {
    sco_for_value(f.kind, &f.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_reference_vectors() {
        let cases = [
            (IocType::Ipv4, "198.51.100.7", "ipv4-addr--12592121-be4c-5a93-a813-5a5af16e50db"),
            (IocType::Ipv6, "2001:db8::1", "ipv6-addr--6469e3a9-b053-5e34-a025-9396ae051d26"),
            (IocType::Domain, "evil.example.com", "domain-name--6262c8a9-ac28-50fe-a7df-f5923bb2ee14"),
            (IocType::Url, "http://evil.example.com/payload.exe", "url--a3d73212-3621-55a5-85c3-f357b985ff84"),
            (IocType::Email, "phisher@example.net", "email-addr--c9945989-4893-5259-9e02-4c872a97b5b3"),
            (IocType::Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "file--22f8ff52-8f62-5f03-a53a-6f50f54fd74c"),
            (IocType::Md5, "d41d8cd98f00b204e9800998ecf8427e", "file--02fff920-f614-527c-81d1-6353633a6d21"),
        ];
        for (k, v, id) in cases {
            assert_eq!(sco_for_value(k, v).unwrap()["id"], id, "{k} {v}");
        }
    }

    #[test]
    fn urls_that_are_not_uris_get_no_sco() {
        assert!(sco_for_value(IocType::Url, "http://a.com/p/%s").is_none());
        assert!(sco_for_value(IocType::Url, "http://a.com/p/%41?q=1").is_some());
    }

    #[test]
    fn jcs_sorts_and_escapes() {
        let v = json!({"b": [1, true, null], "a": "x\"\\\u{1}é"});
        assert_eq!(canonical_json(&v), "{\"a\":\"x\\\"\\\\\\u0001é\",\"b\":[1,true,null]}");
    }
}
