//! TLP 2.0 labels and their STIX marking-definition objects (the fixed ids of the OASIS
//! common-objects TLP 2.0 extension).

use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

/// The id of the OASIS extension definition that carries TLP 2.0 markings.
pub const TLP2_EXTENSION_ID: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// A TLP 2.0 label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tlp {
    Clear,
    Green,
    Amber,
    AmberStrict,
    Red,
}

impl Tlp {
    pub const ALL: [Tlp; 5] = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red];

    /// The label as written in documents: `TLP:AMBER+STRICT`.
    pub const fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// The `tlp_2_0` value inside the marking's extension.
    pub const fn extension_value(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }

    /// The fixed `marking-definition--...` id of this label.
    pub const fn marking_definition_id(self) -> &'static str {
        match self {
            Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
            Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
            Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
            Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
            Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        }
    }

    /// The marking-definition object exactly as published by OASIS (no `modified`, no
    /// `definition_type`).
    pub fn marking_definition_object(self) -> Value {
        json!({
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": self.marking_definition_id(),
            "created": "2022-10-01T00:00:00.000Z",
            "name": self.label(),
            "extensions": {
                TLP2_EXTENSION_ID: {
                    "extension_type": "property-extension",
                    "tlp_2_0": self.extension_value(),
                }
            }
        })
    }
}

impl fmt::Display for Tlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Error for anything that is not one of the five TLP 2.0 labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTlp(pub String);

impl fmt::Display for InvalidTlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid TLP label {:?} (expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED)", self.0)
    }
}

impl std::error::Error for InvalidTlp {}

impl FromStr for Tlp {
    type Err = InvalidTlp;

    /// Accepts `CLEAR`, `GREEN`, `AMBER`, `AMBER+STRICT`, `RED`, optionally prefixed with
    /// `TLP:`, case-insensitive, surrounding whitespace ignored. TLP 1.0's `WHITE` and
    /// anything else are rejected.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bare = if t.len() >= 4 && t[..4].eq_ignore_ascii_case("tlp:") { &t[4..] } else { t };
        Tlp::ALL.into_iter().find(|l| l.extension_value().eq_ignore_ascii_case(bare)).ok_or_else(|| InvalidTlp(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_and_rejects_others() {
        assert_eq!(" amber+strict ".parse::<Tlp>().unwrap(), Tlp::AmberStrict);
        assert_eq!("TLP:clear".parse::<Tlp>().unwrap(), Tlp::Clear);
        assert_eq!("Red".parse::<Tlp>().unwrap(), Tlp::Red);
        for bad in ["WHITE", "amber strict", "", "TLP:", "greenish"] {
            assert!(bad.parse::<Tlp>().is_err(), "{bad}");
        }
    }

    #[test]
    fn marking_object_matches_the_reference() {
        let m = Tlp::Clear.marking_definition_object();
        let want = r#"{"created":"2022-10-01T00:00:00.000Z","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"clear"}},"id":"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487","name":"TLP:CLEAR","spec_version":"2.1","type":"marking-definition"}"#;
        assert_eq!(super::super::sco::canonical_json(&m), want);
    }
}
