//! Invariant checks shared by the cargo-fuzz targets (`fuzz/`) and the test suite, so the
//! same properties are exercised in CI without cargo-fuzz.

use std::sync::OnceLock;

use crate::extractor::Extractor;
use crate::refang::{defang, refang};
use crate::stix::{pattern_for_value, validate_pattern};
use crate::types::IocType;

fn extractor() -> &'static Extractor {
    static EX: OnceLock<Extractor> = OnceLock::new();
    EX.get_or_init(Extractor::new)
}

/// Extracts from `data` (lossily decoded as UTF-8) and asserts: spans are char boundaries
/// inside the input, `raw == input[start..end]`, findings are ordered and do not overlap,
/// confidence is at most 100, every generated pattern validates, and refanging the
/// defanged value gives the value back.
pub fn fuzz_extract(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let findings = extractor().extract_all(&text);
    let mut last_end = 0;
    for f in &findings {
        assert!(f.start < f.end && f.end <= text.len(), "span out of bounds: {f:?}");
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "span not on char boundary: {f:?}");
        assert_eq!(&text[f.start..f.end], f.raw, "raw differs from the span");
        assert!(f.start >= last_end, "overlapping findings: {f:?}");
        last_end = f.end;
        assert!(f.confidence <= 100);
        assert!(!f.value.is_empty());
        if let Some(p) = pattern_for_value(f.kind, &f.value)
            && let Err(e) = validate_pattern(&p)
        {
            panic!("generated pattern {p:?} does not validate: {e}");
        }
        if refang(&f.value) == f.value {
            assert_eq!(refang(&defang(f.kind, &f.value)), f.value, "refang(defang(v)) != v for {f:?}");
        }
    }
    let active = extractor().extract(&text);
    assert!(active.len() <= findings.len());
}

/// Treats `data` as an indicator value of a type chosen by its first byte and asserts that
/// the generated pattern (if any) validates and cannot be broken out of.
pub fn fuzz_pattern(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let kind = IocType::ALL[usize::from(sel) % IocType::ALL.len()];
    let value = String::from_utf8_lossy(rest);
    if let Some(p) = pattern_for_value(kind, &value) {
        if let Err(e) = validate_pattern(&p) {
            panic!("generated pattern {p:?} does not validate: {e}");
        }
        assert!(p.starts_with('[') && p.ends_with(']'));
    }
}
