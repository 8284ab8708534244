//! Writes STIX 2.1 bundles generated from the corpus into OUTDIR (one per corpus file and
//! TLP level, plus one with every object kind), for `tests/stix_validate.sh`.

#[path = "../tests/common/corpus.rs"]
mod corpus;

use std::path::Path;

use ioc::stix::{self, Common, IndicatorOptions, SightingOptions, Tlp};
use ioc::{Extractor, IocType};

fn main() {
    let out = std::env::args().nth(1).expect("usage: stix_bundles OUTDIR");
    std::fs::create_dir_all(&out).expect("create OUTDIR");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let ex = Extractor::new();
    let now = 1_735_812_000_123;
    let msgs = corpus::load(&dir);
    for (i, chunk) in msgs.chunks(40).enumerate() {
        let findings: Vec<_> = chunk.iter().flat_map(|m| ex.extract(&m.text)).collect();
        let tlp = Tlp::ALL[i % Tlp::ALL.len()];
        let b = ioc::format::to_stix_bundle(&findings, tlp, now, "Example ISAC");
        write(&out, &format!("corpus-{i:02}.json"), &b);
    }
    // Sighting and hand-built objects.
    let base = Common { created_ms: now, tlp: Some(Tlp::Green), ..Default::default() };
    let ident = stix::identity("Example ISAC", &base);
    let c = Common { created_by_ref: ident["id"].as_str().map(String::from), ..base };
    let ind = stix::indicator(
        IocType::Domain,
        "invoice-docs.net",
        &IndicatorOptions { common: c.clone(), valid_until_ms: Some(now + 86_400_000), confidence: Some(70), ..Default::default() },
    )
    .expect("indicator");
    let ind_id = ind["id"].as_str().expect("id").to_string();
    let s = stix::sighting(
        &ind_id,
        &SightingOptions {
            common: c.clone(),
            count: Some(3),
            first_seen_ms: Some(now - 3_600_000),
            last_seen_ms: Some(now),
            where_sighted_refs: vec![ident["id"].as_str().expect("id").to_string()],
            key: "post-1".into(),
        },
    );
    let v = stix::vulnerability("CVE-2024-3400", &c);
    let a = stix::attack_pattern("T1059.001", &c);
    let refs = vec![ind_id, v["id"].as_str().expect("id").into(), a["id"].as_str().expect("id").into()];
    let r = stix::report("Advisory 2025-001", now, &refs, &c).expect("report");
    let b = stix::bundle(vec![ident, Tlp::Green.marking_definition_object(), ind, s, v, a, r]);
    write(&out, "objects.json", &b);
}

fn write(dir: &str, name: &str, v: &serde_json::Value) {
    let text = serde_json::to_string_pretty(v).expect("serialize");
    std::fs::write(Path::new(dir).join(name), text).expect("write bundle");
}
