//! Precision and recall on the labelled corpus, per type and overall, over
//! (type, canonical value) pairs per message. Fails below 0.97 overall.

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[test]
fn corpus_precision_and_recall() {
    let msgs = corpus::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    assert!(msgs.len() >= 300, "corpus has {} messages", msgs.len());
    let ex = ioc::Extractor::new();
    let mut per_type = BTreeMap::new();
    let mut mistakes = Vec::new();
    for m in &msgs {
        let got: BTreeSet<(String, String)> = ex.extract(&m.text).into_iter().map(|f| (f.kind.as_str().to_string(), f.value)).collect();
        for (t, _) in &m.expect {
            assert!(t.parse::<ioc::IocType>().is_ok(), "{}: unknown type {t}", m.id);
        }
        corpus::score(&m.expect, &got, &mut per_type, &mut mistakes, &m.id);
    }
    eprintln!("{:<18} {:>5} {:>5} {:>5} {:>9} {:>9}", "type", "tp", "fp", "fn", "precision", "recall");
    for (t, c) in &per_type {
        eprintln!("{t:<18} {:>5} {:>5} {:>5} {:>9.3} {:>9.3}", c.tp, c.fp, c.fn_, c.precision(), c.recall());
    }
    let all = corpus::total(&per_type);
    eprintln!("{:<18} {:>5} {:>5} {:>5} {:>9.3} {:>9.3}", "OVERALL", all.tp, all.fp, all.fn_, all.precision(), all.recall());
    eprintln!("{} messages; mistakes:\n  {}", msgs.len(), mistakes.join("\n  "));
    assert!(all.precision() >= 0.97, "precision {:.3}", all.precision());
    assert!(all.recall() >= 0.97, "recall {:.3}", all.recall());
}
