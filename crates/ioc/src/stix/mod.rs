//! STIX 2.1 objects from findings: TLP 2.0 markings, patterns, deterministic ids and
//! builders for the SDOs an IOC feed needs. Everything returns `serde_json::Value`.
//!
//! Ids: SCOs use the spec's UUIDv5 scheme ([`sco_for`]); SDOs built here use UUIDv5 in
//! the caller's namespace ([`Common::namespace`]) over a stable key (the pattern for an
//! indicator, the CVE id for a vulnerability, ...), so re-extracting the same value yields
//! the same object id and consumers update instead of duplicating. Timestamps come from
//! the caller as milliseconds since the Unix epoch.

pub mod pattern;
mod sco;
mod time;
mod tlp;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use uuid::Uuid;

pub use pattern::{pattern_for, pattern_for_value, validate as validate_pattern};
pub use sco::{SCO_NAMESPACE, canonical_json, is_uri, sco_for, sco_for_value, sco_id};
pub use time::timestamp;
pub use tlp::{InvalidTlp, TLP2_EXTENSION_ID, Tlp};

use crate::types::{Finding, IocType};

/// The default namespace for SDO ids: UUIDv5(URL namespace, "urn:conclave:stix").
pub fn default_namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:conclave:stix")
}

/// Properties shared by the SDOs built here.
#[derive(Debug, Clone)]
pub struct Common {
    /// Namespace for deterministic ids (one per server installation).
    pub namespace: Uuid,
    pub created_ms: i64,
    /// Defaults to `created_ms`.
    pub modified_ms: Option<i64>,
    /// `identity--...` of the producer.
    pub created_by_ref: Option<String>,
    pub tlp: Option<Tlp>,
}

impl Default for Common {
    fn default() -> Self {
        Common { namespace: default_namespace(), created_ms: 0, modified_ms: None, created_by_ref: None, tlp: None }
    }
}

impl Common {
    /// `<ty>--uuid5(namespace, "<ty>:<key>")`.
    pub fn id(&self, ty: &str, key: &str) -> String {
        format!("{ty}--{}", Uuid::new_v5(&self.namespace, format!("{ty}:{key}").as_bytes()))
    }

    fn base(&self, ty: &str, id: String) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), json!(ty));
        m.insert("spec_version".into(), json!("2.1"));
        m.insert("id".into(), json!(id));
        m.insert("created".into(), json!(timestamp(self.created_ms)));
        let modified = self.modified_ms.unwrap_or(self.created_ms).max(self.created_ms);
        m.insert("modified".into(), json!(timestamp(modified)));
        if let Some(r) = &self.created_by_ref {
            m.insert("created_by_ref".into(), json!(r));
        }
        if let Some(t) = self.tlp {
            m.insert("object_marking_refs".into(), json!([t.marking_definition_id()]));
        }
        m
    }
}

/// An `identity` (organisation) with an id derived from its name.
pub fn identity(name: &str, c: &Common) -> Value {
    let mut m = c.base("identity", c.id("identity", name));
    m.remove("created_by_ref");
    m.insert("name".into(), json!(name));
    m.insert("identity_class".into(), json!("organization"));
    Value::Object(m)
}

/// Options for [`indicator`].
#[derive(Debug, Clone, Default)]
pub struct IndicatorOptions {
    pub common: Common,
    /// Defaults to `created_ms`.
    pub valid_from_ms: Option<i64>,
    pub valid_until_ms: Option<i64>,
    pub confidence: Option<u8>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Open vocabulary; defaults to `["malicious-activity"]`.
    pub indicator_types: Vec<String>,
}

/// An `indicator` with a STIX pattern, or `None` when the type has no pattern.
pub fn indicator(kind: IocType, value: &str, o: &IndicatorOptions) -> Option<Value> {
    let pattern = pattern_for_value(kind, value)?;
    let c = &o.common;
    let mut m = c.base("indicator", c.id("indicator", &pattern));
    let name = o.name.clone().unwrap_or_else(|| format!("{}: {}", kind.as_str(), crate::defang(kind, value)));
    m.insert("name".into(), json!(name));
    let description = o.description.clone().unwrap_or_else(|| format!("{} indicator extracted from chat", kind.as_str()));
    m.insert("description".into(), json!(description));
    let types = if o.indicator_types.is_empty() { vec!["malicious-activity".to_string()] } else { o.indicator_types.clone() };
    m.insert("indicator_types".into(), json!(types));
    m.insert("pattern".into(), json!(pattern));
    m.insert("pattern_type".into(), json!("stix"));
    m.insert("pattern_version".into(), json!("2.1"));
    let from = o.valid_from_ms.unwrap_or(c.created_ms);
    m.insert("valid_from".into(), json!(timestamp(from)));
    if let Some(until) = o.valid_until_ms.filter(|&u| u > from) {
        m.insert("valid_until".into(), json!(timestamp(until)));
    }
    if let Some(conf) = o.confidence {
        m.insert("confidence".into(), json!(conf.min(100)));
    }
    Some(Value::Object(m))
}

/// Options for [`sighting`].
#[derive(Debug, Clone, Default)]
pub struct SightingOptions {
    pub common: Common,
    pub count: Option<u32>,
    pub first_seen_ms: Option<i64>,
    pub last_seen_ms: Option<i64>,
    /// `identity--...` ids of where it was seen.
    pub where_sighted_refs: Vec<String>,
    /// Distinguishes several sightings of one indicator (e.g. the reporting post id).
    pub key: String,
}

/// A `sighting` of an indicator (or other SDO).
pub fn sighting(sighting_of_ref: &str, o: &SightingOptions) -> Value {
    let c = &o.common;
    let mut m = c.base("sighting", c.id("sighting", &format!("{sighting_of_ref}:{}", o.key)));
    m.insert("sighting_of_ref".into(), json!(sighting_of_ref));
    if let Some(n) = o.count {
        m.insert("count".into(), json!(n));
    }
    if let Some(f) = o.first_seen_ms {
        m.insert("first_seen".into(), json!(timestamp(f)));
    }
    if let Some(l) = o.last_seen_ms.filter(|l| o.first_seen_ms.is_none_or(|f| *l >= f)) {
        m.insert("last_seen".into(), json!(timestamp(l)));
    }
    if !o.where_sighted_refs.is_empty() {
        m.insert("where_sighted_refs".into(), json!(o.where_sighted_refs));
    }
    Value::Object(m)
}

/// A `vulnerability` for a CVE id.
pub fn vulnerability(cve: &str, c: &Common) -> Value {
    let cve = cve.to_ascii_uppercase();
    let mut m = c.base("vulnerability", c.id("vulnerability", &cve));
    m.insert("name".into(), json!(cve));
    m.insert("description".into(), json!(format!("{cve}, referenced in chat")));
    m.insert("external_references".into(), json!([{ "source_name": "cve", "external_id": cve }]));
    Value::Object(m)
}

/// An `attack-pattern` for an ATT&CK technique id (`T1059`, `T1059.001`).
pub fn attack_pattern(technique: &str, c: &Common) -> Value {
    let mut m = c.base("attack-pattern", c.id("attack-pattern", technique));
    m.insert("name".into(), json!(technique));
    m.insert("description".into(), json!(format!("MITRE ATT&CK technique {technique}")));
    // No `url`: stix2-validator asks for a hash next to any external-reference URL (302).
    m.insert("external_references".into(), json!([{ "source_name": "mitre-attack", "external_id": technique }]));
    Value::Object(m)
}

/// A `report` over `object_refs` (must not be empty; returns `None` then).
pub fn report(name: &str, published_ms: i64, object_refs: &[String], c: &Common) -> Option<Value> {
    if object_refs.is_empty() {
        return None;
    }
    let refs: BTreeSet<&String> = object_refs.iter().collect();
    let key = refs.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",");
    let mut m = c.base("report", c.id("report", &format!("{name}:{key}")));
    m.insert("name".into(), json!(name));
    m.insert("description".into(), json!(format!("{} objects extracted from chat", refs.len())));
    m.insert("report_types".into(), json!(["indicator"]));
    m.insert("published".into(), json!(timestamp(published_ms)));
    m.insert("object_refs".into(), json!(refs));
    Some(Value::Object(m))
}

/// A `bundle` with a deterministic id derived from the object ids.
pub fn bundle(objects: Vec<Value>) -> Value {
    let key: String = objects.iter().filter_map(|o| o["id"].as_str()).collect::<Vec<_>>().join(",");
    let id = Uuid::new_v5(&default_namespace(), format!("bundle:{key}").as_bytes());
    json!({ "type": "bundle", "id": format!("bundle--{id}"), "objects": objects })
}

/// Options for [`bundle_for_findings`].
#[derive(Debug, Clone)]
pub struct BundleOptions {
    pub tlp: Tlp,
    pub now_ms: i64,
    /// Name of the producing organisation (the `identity`).
    pub producer: String,
    pub namespace: Uuid,
    /// Name of the report that ties the objects together.
    pub report_name: String,
}

impl Default for BundleOptions {
    fn default() -> Self {
        BundleOptions {
            tlp: Tlp::Amber,
            now_ms: 0,
            producer: "Conclave".into(),
            namespace: default_namespace(),
            report_name: "Indicators extracted from chat".into(),
        }
    }
}

/// Identity, marking definition, one indicator (+ SCO) per distinct patternable value,
/// vulnerabilities, attack-patterns and a report, in one bundle.
pub fn bundle_for_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>, o: &BundleOptions) -> Value {
    let base = Common { namespace: o.namespace, created_ms: o.now_ms, tlp: Some(o.tlp), ..Default::default() };
    let ident = identity(&o.producer, &base);
    let common = Common { created_by_ref: ident["id"].as_str().map(String::from), ..base };
    let mut objects = vec![ident, o.tlp.marking_definition_object()];
    let mut seen = BTreeSet::new();
    let mut refs = Vec::new();
    for f in findings {
        if !seen.insert((f.kind, f.value.clone())) {
            continue;
        }
        let obj = match f.kind {
            IocType::Cve => Some(vulnerability(&f.value, &common)),
            IocType::AttackTechnique => Some(attack_pattern(&f.value, &common)),
            _ => {
                let opts = IndicatorOptions { common: common.clone(), confidence: Some(f.confidence), ..Default::default() };
                indicator(f.kind, &f.value, &opts)
            }
        };
        if let Some(obj) = obj {
            refs.push(obj["id"].as_str().unwrap_or_default().to_string());
            objects.push(obj);
        }
        if let Some(mut sco) = sco_for(f) {
            if let Some(m) = sco.as_object_mut() {
                m.insert("object_marking_refs".into(), json!([o.tlp.marking_definition_id()]));
            }
            refs.push(sco["id"].as_str().unwrap_or_default().to_string());
            objects.push(sco);
        }
    }
    if let Some(r) = report(&o.report_name, o.now_ms, &refs, &common) {
        objects.push(r);
    }
    bundle(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_ids_are_deterministic_and_marked() {
        let o =
            IndicatorOptions { common: Common { created_ms: 1_735_812_000_000, tlp: Some(Tlp::Amber), ..Default::default() }, ..Default::default() };
        let a = indicator(IocType::Ipv4, "198.51.100.7", &o).unwrap();
        let b = indicator(IocType::Ipv4, "198.51.100.7", &o).unwrap();
        assert_eq!(a["id"], b["id"]);
        assert_eq!(a["created"], "2025-01-02T10:00:00.000Z");
        assert_eq!(a["object_marking_refs"][0], Tlp::Amber.marking_definition_id());
        assert_eq!(a["pattern"], "[ipv4-addr:value = '198.51.100.7']");
        assert!(a["id"].as_str().unwrap().starts_with("indicator--"));
    }

    #[test]
    fn report_needs_refs() {
        assert!(report("x", 0, &[], &Common::default()).is_none());
    }
}
