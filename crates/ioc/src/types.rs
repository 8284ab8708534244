//! The vocabulary shared by every part of the crate: indicator types, findings, flags and
//! suppression reasons.
//!
//! A [`Finding`] always carries both the canonical (refanged, normalised) value that tools
//! should match on and the raw span as written, so the server can highlight or defang the
//! original text without re-parsing it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Every indicator type the extractor knows, with the snake_case names used on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IocType {
    Ipv4,
    Ipv6,
    Ipv4Cidr,
    Ipv6Cidr,
    Domain,
    Url,
    Email,
    Md5,
    Sha1,
    Sha256,
    Sha512,
    Cve,
    AttackTechnique,
    AttackTactic,
    Btc,
    Xmr,
    Eth,
    Asn,
    RegistryKey,
    FilePath,
    FileName,
    Ja3,
    Mutex,
}

impl IocType {
    /// All types, core ones first, in declaration order.
    pub const ALL: [IocType; 23] = [
        IocType::Ipv4,
        IocType::Ipv6,
        IocType::Ipv4Cidr,
        IocType::Ipv6Cidr,
        IocType::Domain,
        IocType::Url,
        IocType::Email,
        IocType::Md5,
        IocType::Sha1,
        IocType::Sha256,
        IocType::Sha512,
        IocType::Cve,
        IocType::AttackTechnique,
        IocType::AttackTactic,
        IocType::Btc,
        IocType::Xmr,
        IocType::Eth,
        IocType::Asn,
        IocType::RegistryKey,
        IocType::FilePath,
        IocType::FileName,
        IocType::Ja3,
        IocType::Mutex,
    ];

    /// The wire name, identical to the serde name.
    pub const fn as_str(self) -> &'static str {
        match self {
            IocType::Ipv4 => "ipv4",
            IocType::Ipv6 => "ipv6",
            IocType::Ipv4Cidr => "ipv4_cidr",
            IocType::Ipv6Cidr => "ipv6_cidr",
            IocType::Domain => "domain",
            IocType::Url => "url",
            IocType::Email => "email",
            IocType::Md5 => "md5",
            IocType::Sha1 => "sha1",
            IocType::Sha256 => "sha256",
            IocType::Sha512 => "sha512",
            IocType::Cve => "cve",
            IocType::AttackTechnique => "attack_technique",
            IocType::AttackTactic => "attack_tactic",
            IocType::Btc => "btc",
            IocType::Xmr => "xmr",
            IocType::Eth => "eth",
            IocType::Asn => "asn",
            IocType::RegistryKey => "registry_key",
            IocType::FilePath => "file_path",
            IocType::FileName => "file_name",
            IocType::Ja3 => "ja3",
            IocType::Mutex => "mutex",
        }
    }

    /// Whether the type is one of the "core" network/hash/CVE types.
    pub const fn is_core(self) -> bool {
        (self as u8) <= (IocType::Cve as u8)
    }
}

impl fmt::Display for IocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when parsing an unknown type name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownType(pub String);

impl fmt::Display for UnknownType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown indicator type {:?}", self.0)
    }
}

impl std::error::Error for UnknownType {}

impl FromStr for IocType {
    type Err = UnknownType;

    /// Parses the wire name (case-insensitive, surrounding whitespace ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        IocType::ALL.iter().copied().find(|k| k.as_str().eq_ignore_ascii_case(t)).ok_or_else(|| UnknownType(t.to_string()))
    }
}

/// Why a finding was suppressed: a short machine code (`private`, `public_resolver`,
/// `reference`, ...) and the human text from the allow-list entry that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub code: String,
    pub reason: String,
}

impl fmt::Display for Suppression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.reason)
    }
}

/// Boolean facts about how a finding was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flags {
    /// The raw span contained at least one defang token (`hxxp`, `[.]`, `[at]`, ...).
    pub defanged: bool,
    /// The host contained non-ASCII characters and was converted to punycode.
    pub idn: bool,
    /// A label mixes scripts or is a whole-script look-alike of Latin (homoglyph risk).
    pub idn_mixed_script: bool,
    /// The type was decided by a nearby context word (`ja3`, `mutex`, `dropped`, `domain`).
    pub from_context: bool,
}

/// One indicator found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The indicator type.
    pub kind: IocType,
    /// Canonical value: refanged, hosts lower-cased and punycoded, hex lower-cased, no port.
    pub value: String,
    /// The text exactly as written, `raw == &input[start..end]`.
    pub raw: String,
    /// Byte offset of the first byte of `raw` in the input (always a char boundary).
    pub start: usize,
    /// Byte offset one past the last byte of `raw` (always a char boundary).
    pub end: usize,
    /// How sure the extractor is that an analyst would call this an indicator, 0-100.
    pub confidence: u8,
    /// Set when an allow-list entry matched; such findings only come from `extract_all`.
    pub suppressed: Option<Suppression>,
    /// The port written after an IP address (`1.2.3.4:8080`), kept as context.
    pub port: Option<u16>,
    /// How the indicator was written.
    pub flags: Flags,
}

impl Finding {
    /// True when no allow-list entry matched.
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_and_serde() {
        for k in IocType::ALL {
            assert_eq!(k.as_str().parse::<IocType>().unwrap(), k);
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert!(" IPV4 ".parse::<IocType>().is_ok());
        assert!("ip".parse::<IocType>().is_err());
    }

    #[test]
    fn core_types_are_the_first_twelve() {
        let core: Vec<_> = IocType::ALL.iter().filter(|k| k.is_core()).collect();
        assert_eq!(core.len(), 12);
        assert!(!IocType::Ja3.is_core());
    }
}
