//! Typed identifiers in Mattermost's format.
//!
//! Every id is 16 random bytes encoded in base32 with Mattermost's alphabet
//! (`ybndrfg8ejkmcpqxot1uwisza345h769`), giving 26 lowercase characters. Clients validate
//! that shape (`len == 26`, alphanumeric), so ids minted here and ids parsed from requests
//! go through the same two functions. Each entity gets its own newtype so that a post id can
//! never be passed where a channel id is expected.

use std::fmt;

const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// Returns a fresh 26-character id.
pub fn new_id() -> String {
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).expect("the operating system's random source failed");
    encode_base32(&raw)
}

/// Returns a fresh 26-character id that sorts after the ids minted in earlier milliseconds:
/// 12 hex digits of the Unix time in milliseconds, then 14 random characters (70 bits).
/// For rows inserted at a high rate whose ids are primary keys: a new key lands at the
/// right-hand edge of the index instead of on a random page of it.
pub fn ordered_id() -> String {
    let millis = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let mut id = format!("{:012x}", millis & 0xffff_ffff_ffff);
    id.push_str(&new_id()[..14]);
    id
}

/// Returns `n` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut raw = [0u8; N];
    getrandom::fill(&mut raw).expect("the operating system's random source failed");
    raw
}

/// Encodes bytes in Mattermost's base32 alphabet without padding.
pub fn encode_base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Mattermost's `IsValidId`: exactly 26 ASCII letters or digits.
pub fn is_valid_id(s: &str) -> bool {
    s.len() == 26 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Mints a new random id.
            pub fn generate() -> Self {
                Self(new_id())
            }
            /// Parses an id from untrusted input, checking its shape.
            pub fn parse(s: &str) -> Option<Self> {
                is_valid_id(s).then(|| Self(s.to_owned()))
            }
            /// Wraps a value read back from our own database, which only ever stores ids
            /// this module minted or parsed.
            pub fn from_db(s: String) -> Self {
                Self(s)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

typed_id!(
    /// A user account (people and bots).
    UserId
);
typed_id!(
    /// A member organization of the ISAC.
    OrgId
);
typed_id!(
    /// A team.
    TeamId
);
typed_id!(
    /// A channel of any type (public, private, direct, group).
    ChannelId
);
typed_id!(
    /// A post (message).
    PostId
);
typed_id!(
    /// An uploaded file.
    FileId
);
typed_id!(
    /// A login session; its secret token is separate and never stored in clear.
    SessionId
);
typed_id!(
    /// An indicator of compromise (one per type and canonical value).
    IndicatorId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_ids_have_mattermost_shape_and_follow_time() {
        let first = ordered_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later: Vec<String> = (0..100).map(|_| ordered_id()).collect();
        assert!(later.iter().all(|id| is_valid_id(id) && id.as_str() > first.as_str()), "{first} {later:?}");
        let distinct: std::collections::HashSet<&String> = later.iter().collect();
        assert_eq!(distinct.len(), later.len());
    }

    #[test]
    fn ids_have_mattermost_shape() {
        for _ in 0..100 {
            let id = new_id();
            assert!(is_valid_id(&id), "{id}");
            assert!(!id.contains(['0', 'l', 'v', '2']));
        }
    }

    #[test]
    fn base32_matches_known_vector() {
        // 16 zero bytes encode to the alphabet's first letter 26 times.
        assert_eq!(encode_base32(&[0u8; 16]), "y".repeat(26));
        assert_eq!(encode_base32(&[0xff; 16]).len(), 26);
    }

    #[test]
    fn parse_rejects_bad_shapes() {
        assert!(PostId::parse("abc").is_none());
        assert!(PostId::parse(&"A".repeat(26)).is_none());
        assert!(PostId::parse(&"a".repeat(27)).is_none());
        assert!(PostId::parse(&"a".repeat(26)).is_some());
    }
}
