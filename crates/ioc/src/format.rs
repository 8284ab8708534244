//! Pure renderers for `conclave ioc extract`: JSON lines, CSV, human text and STIX bundles.
//! They take findings and return strings; the CLI only does the I/O.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::refang::defang;
use crate::stix::{self, Tlp};
use crate::types::Finding;

/// One JSON object per finding per line, with exactly `type`, `value` (canonical), `raw`,
/// `start`, `end` (byte offsets into the input), `confidence`, and `suppressed_reason`
/// (`"code: text"`) for suppressed findings only. Every line ends with `\n`.
pub fn to_json_lines(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mut m = Map::new();
        m.insert("type".into(), json!(f.kind.as_str()));
        m.insert("value".into(), json!(f.value));
        m.insert("raw".into(), json!(f.raw));
        m.insert("start".into(), json!(f.start));
        m.insert("end".into(), json!(f.end));
        m.insert("confidence".into(), json!(f.confidence));
        if let Some(s) = &f.suppressed {
            m.insert("suppressed_reason".into(), json!(s.to_string()));
        }
        out.push_str(&Value::Object(m).to_string());
        out.push('\n');
    }
    out
}

fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// RFC 4180 CSV with a header row:
/// `type,value,raw,start,end,confidence,port,defanged,suppressed_reason` (CRLF line ends).
pub fn to_csv(findings: &[Finding]) -> String {
    let mut out = String::from("type,value,raw,start,end,confidence,port,defanged,suppressed_reason\r\n");
    for f in findings {
        let _ = write!(out, "{},", f.kind);
        csv_field(&mut out, &f.value);
        out.push(',');
        csv_field(&mut out, &f.raw);
        let port = f.port.map(|p| p.to_string()).unwrap_or_default();
        let _ = write!(out, ",{},{},{},{},{},", f.start, f.end, f.confidence, port, f.flags.defanged);
        csv_field(&mut out, &f.suppressed.as_ref().map(ToString::to_string).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// One line per finding for people: type, the value defanged for safe display, port and
/// confidence, and the suppression reason if any.
pub fn to_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = write!(out, "{:<16} {}", f.kind.as_str(), defang(f.kind, &f.value));
        if let Some(p) = f.port {
            let _ = write!(out, " port {p}");
        }
        let _ = write!(out, " (confidence {})", f.confidence);
        if let Some(s) = &f.suppressed {
            let _ = write!(out, " [suppressed: {s}]");
        }
        out.push('\n');
    }
    out
}

/// A STIX 2.1 bundle for the active findings: the producer identity, the TLP marking
/// definition, one indicator per finding that has a pattern (plus its SCO), a
/// vulnerability per CVE, an attack-pattern per ATT&CK technique, and a report tying them
/// together. Suppressed findings are left out. `now_ms` is milliseconds since the Unix epoch.
pub fn to_stix_bundle(findings: &[Finding], tlp: Tlp, now_ms: i64, producer: &str) -> Value {
    let opts = stix::BundleOptions { tlp, now_ms, producer: producer.to_string(), ..Default::default() };
    stix::bundle_for_findings(findings.iter().filter(|f| f.is_active()), &opts)
}
