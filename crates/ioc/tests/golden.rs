//! Pins the extractor's complete output (all findings, suppressed ones included, with
//! offsets, confidence, port and flags) on fixed inputs, as SHA-256 digests recorded before
//! the performance work began: the corpus messages, the fuzz seeds plus 4,000 random inputs
//! from a fixed seed, a 600 kB chat-like blob generated in-test, and the adversarial shapes
//! of the benchmark at 20 kB. A change of behaviour
//! shows up here; an intended one goes in its own commit that updates the digest and says why.
//!
//! `cargo run --release -p ioc --example golden -- digests` prints the current digests;
//! `... -- dump corpus|fuzz|blob|FILE` prints the rendered output itself, for diffing.

#[path = "common/golden.rs"]
mod golden;

/// Recorded at 24e1972 (before the performance work). The 6 MB blob of `bench/ioc/make_blob.py`
/// (`make_blob.py corpus blob.txt 6`, 6,000,152 bytes), dumped with `golden dump blob.txt`,
/// had SHA-256 7d41e37102028db7bc06cf2d15e171adadeb06cf274a684c9d1ba94bcec93437.
const EXPECTED: &[(&str, &str)] = &[
    ("corpus", "acc41b95b8569600da4d6b6de4bc11d9d241f1d1ffc49aaa2e47535ebf0736d8"),
    ("fuzz", "3a2ec0da1d73b13590db0d960a85d324a9efd488307fde576b98e443894d7c1f"),
    ("blob", "f7d564c4caca4745723b230061b7d941463bac1acb87302e898d621374bccb61"),
    ("adversarial", "07974aa5ad1f6cd5e9e10fb5f768e976597ccc71e32ee5774fc232b780380ce3"),
];

#[test]
fn output_is_unchanged() {
    let got = golden::digests();
    assert_eq!(got.len(), EXPECTED.len());
    for ((name, want), (n2, got)) in EXPECTED.iter().zip(&got) {
        assert_eq!(name, n2);
        assert_eq!(got, want, "{name}: extraction output changed");
    }
}
