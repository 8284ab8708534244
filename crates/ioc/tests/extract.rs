//! Behaviour pinned by the issue, one test per rule, through the public API only.

use ioc::{Allowlist, Extractor, IocType, format};

fn pairs(text: &str) -> Vec<(IocType, String)> {
    Extractor::new().extract(text).into_iter().map(|f| (f.kind, f.value)).collect()
}

fn one(kind: IocType, value: &str) -> Vec<(IocType, String)> {
    vec![(kind, value.to_string())]
}

#[test]
fn every_listed_defang_style_is_refanged() {
    let cases = [
        ("hxxp://bad-host[.]com/a", IocType::Url, "http://bad-host.com/a"),
        ("hxxps://bad-host(.)com/a", IocType::Url, "https://bad-host.com/a"),
        ("fxp://bad-host{.}com/a", IocType::Url, "ftp://bad-host.com/a"),
        ("http[:]//bad-host[dot]com/a", IocType::Url, "http://bad-host.com/a"),
        ("http[://]bad-host(dot)com/a", IocType::Url, "http://bad-host.com/a"),
        ("bad-host dot com", IocType::Domain, "bad-host.com"),
        ("bad-host\\.com", IocType::Domain, "bad-host.com"),
        ("x[at]bad-host[.]com", IocType::Email, "x@bad-host.com"),
        ("x(at)bad-host[.]com", IocType::Email, "x@bad-host.com"),
        ("x[@]bad-host[.]com", IocType::Email, "x@bad-host.com"),
    ];
    for (text, kind, value) in cases {
        assert_eq!(pairs(text), one(kind, value), "{text}");
        let f = &Extractor::new().extract(text)[0];
        assert!(f.flags.defanged, "{text}");
        assert_eq!(f.raw, text, "raw span is the text as written");
    }
}

#[test]
fn triage_py_is_not_a_domain_but_defanged_or_context_makes_it_one() {
    assert!(pairs("ran triage.py and README.md, then payload.zip").is_empty());
    assert_eq!(pairs("C2 domain setup.zip"), one(IocType::Domain, "setup.zip"));
    assert_eq!(pairs("setup[.]zip"), one(IocType::Domain, "setup.zip"));
    assert_eq!(pairs("it dropped payload.zip"), one(IocType::FileName, "payload.zip"));
}

#[test]
fn versions_leading_zeros_and_five_parts_are_not_ips() {
    for t in ["version 4.2.1.7", "v4.2.1.7", "010.1.1.1", "1.2.3.4.5", "OID 1.3.6.1.4.1", "build 10.0.19045.4291"] {
        assert!(pairs(t).is_empty(), "{t}");
    }
}

#[test]
fn ip_port_is_split_and_cidr_masked() {
    let f = &Extractor::new().extract("45.137.21.9:8080")[0];
    assert_eq!((f.kind, f.value.as_str(), f.port), (IocType::Ipv4, "45.137.21.9", Some(8080)));
    assert_eq!(pairs("194.26.29.7/24"), one(IocType::Ipv4Cidr, "194.26.29.0/24"));
    let f = &Extractor::new().extract("[2a0e:1c80:7::3b]:443")[0];
    assert_eq!((f.kind, f.port), (IocType::Ipv6, Some(443)));
}

#[test]
fn wrappers_and_trailing_punctuation_are_removed() {
    for t in [
        "`https://bad-host.com/x`",
        "<https://bad-host.com/x>",
        "<https://bad-host.com/x|bad-host.com/x>",
        "[label](https://bad-host.com/x)",
        "(https://bad-host.com/x).",
        "**https://bad-host.com/x**",
        "\"https://bad-host.com/x\",",
    ] {
        assert_eq!(pairs(t), one(IocType::Url, "https://bad-host.com/x"), "{t}");
    }
}

#[test]
fn hosts_are_lowercased_and_idns_punycoded_and_flagged() {
    assert_eq!(pairs("Bad-Host.COM"), one(IocType::Domain, "bad-host.com"));
    let f = &Extractor::new().extract("аррӏе.com")[0];
    assert_eq!(f.value, "xn--80ak6aa92e.com");
    assert!(f.flags.idn && f.flags.idn_mixed_script);
}

#[test]
fn suppressed_findings_carry_reasons_and_only_come_on_request() {
    let text = "10.0.0.5 8.8.8.8 127.0.0.1 169.254.1.1 100.64.0.1 224.0.0.1 198.51.100.7 https://www.cisa.gov/x";
    let ex = Extractor::new();
    assert!(ex.extract(text).is_empty());
    let codes: Vec<String> = ex.extract_all(text).into_iter().map(|f| f.suppressed.unwrap().code).collect();
    assert_eq!(codes, ["private", "public_resolver", "loopback", "link_local", "cgnat", "multicast", "documentation", "reference"]);
}

#[test]
fn admins_extend_the_allowlist() {
    let mut a = Allowlist::new();
    a.extend_from_str("# our ranges\ncidr 45.137.21.0/24 member Member A egress\ndomain acme-health.org member Member A").unwrap();
    let ex = Extractor::with_allowlist(a);
    assert!(ex.extract("45.137.21.9 www.acme-health.org").is_empty());
    let all = ex.extract_all("45.137.21.9");
    assert_eq!(all[0].suppressed.as_ref().unwrap().reason, "Member A egress");
}

#[test]
fn offsets_are_byte_offsets_into_the_input() {
    let text = "é→ C2 hxxp://bad-host[.]com/x ok";
    let f = &Extractor::new().extract(text)[0];
    assert_eq!(&text[f.start..f.end], "hxxp://bad-host[.]com/x");
    assert_eq!(f.start, text.find("hxxp").unwrap());
}

#[test]
fn empty_and_odd_input_is_fine() {
    let ex = Extractor::new();
    for t in ["", " ", "\n\n", "\u{feff}", "[.]", "@", "://", "\u{0}\u{1}"] {
        assert!(ex.extract_all(t).is_empty(), "{t:?}");
    }
}

#[test]
fn json_lines_have_exactly_the_cli_fields() {
    let ex = Extractor::new();
    let out = format::to_json_lines(&ex.extract_all("45.137.21.9 and 10.0.0.1"));
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&lines[0]), ["confidence", "end", "raw", "start", "type", "value"]);
    assert_eq!(keys(&lines[1]), ["confidence", "end", "raw", "start", "suppressed_reason", "type", "value"]);
    assert_eq!(lines[1]["suppressed_reason"], "private: RFC 1918 private network");
    assert!(format::to_csv(&[]).starts_with("type,value,raw,start,end"));
    assert!(format::to_text(&ex.extract("bad-host.com")).contains("bad-host[.]com"));
}

#[test]
fn stix_bundle_from_findings() {
    let ex = Extractor::new();
    let f = ex.extract("C2 bad-host.com, CVE-2024-3400, T1059.001, d41d8cd98f00b204e9800998ecf8427f");
    let b = format::to_stix_bundle(&f, ioc::stix::Tlp::Amber, 1_735_812_000_000, "Example ISAC");
    let types: Vec<&str> = b["objects"].as_array().unwrap().iter().map(|o| o["type"].as_str().unwrap()).collect();
    for t in ["identity", "marking-definition", "indicator", "domain-name", "vulnerability", "attack-pattern", "file", "report"] {
        assert!(types.contains(&t), "{t} missing from {types:?}");
    }
}
