//! Property tests: refang(defang(v)) is the identity on canonical values, generated STIX
//! patterns always parse, extraction upholds its span invariants on arbitrary text.

use ioc::stix::{pattern_for_value, validate_pattern};
use ioc::{IocType, defang, refang};
use proptest::prelude::*;

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
}

fn domain() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..4), prop::sample::select(vec!["com", "net", "org", "ru", "xyz", "co.uk", "info"]))
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

fn canonical() -> impl Strategy<Value = (IocType, String)> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| (IocType::Ipv4, std::net::Ipv4Addr::from(o).to_string())),
        any::<u128>().prop_map(|b| (IocType::Ipv6, std::net::Ipv6Addr::from(b).to_string())),
        domain().prop_map(|d| (IocType::Domain, d)),
        (domain(), "(/[a-zA-Z0-9_.~%-]{0,12}){0,3}(\\?[a-z]=[0-9]{1,3})?").prop_map(|(d, p)| (IocType::Url, format!("https://{d}{p}"))),
        (label(), domain()).prop_map(|(l, d)| (IocType::Email, format!("{l}@{d}"))),
        "[0-9a-f]{64}".prop_map(|h| (IocType::Sha256, h)),
    ]
}

proptest! {
    #[test]
    fn refang_of_defang_is_identity((kind, value) in canonical()) {
        prop_assume!(refang(&value) == value);
        let d = defang(kind, &value);
        prop_assert_eq!(refang(&d), value);
    }

    #[test]
    fn generated_patterns_always_parse(sel in 0usize..IocType::ALL.len(), value in "\\PC{0,40}") {
        let kind = IocType::ALL[sel];
        if let Some(p) = pattern_for_value(kind, &value) {
            prop_assert!(validate_pattern(&p).is_ok(), "{} -> {:?}", p, validate_pattern(&p));
        }
    }

    #[test]
    fn patterns_escape_quotes_and_backslashes(value in "[a-z'\\\\\\] \\[]{0,30}") {
        let p = pattern_for_value(IocType::Mutex, &value).unwrap();
        prop_assert!(validate_pattern(&p).is_ok());
    }

    #[test]
    fn extraction_invariants_hold_on_arbitrary_text(text in "(\\PC|[.:@/\\[\\]()0-9a-f ]){0,200}") {
        ioc::fuzz_extract(text.as_bytes());
    }

    #[test]
    fn defanged_text_extracts_the_same_values((kind, value) in canonical()) {
        prop_assume!(refang(&value) == value);
        let ex = ioc::Extractor::with_allowlist(ioc::Allowlist::empty());
        let plain: Vec<_> = ex.extract(&format!("ioc {value} end")).into_iter().map(|f| (f.kind, f.value)).collect();
        let fanged: Vec<_> = ex.extract(&format!("ioc {} end", defang(kind, &value))).into_iter().map(|f| (f.kind, f.value)).collect();
        prop_assert_eq!(plain, fanged);
    }
}
