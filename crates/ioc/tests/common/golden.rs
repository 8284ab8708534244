//! Deterministic inputs whose extraction output is pinned by `tests/golden.rs` (and dumped in
//! full by `examples/golden.rs`): the corpus messages, the fuzz seeds plus pseudo-random
//! inputs from a fixed seed, and a chat-like blob built like `bench/ioc/make_blob.py`.
//! Shared through `#[path]`.

#![allow(dead_code)]

use std::path::Path;

use ioc::Finding;
use sha2::{Digest, Sha256};

#[path = "corpus.rs"]
mod corpus;

/// The seeds of `tests/fuzz_smoke.rs` plus a few chat and defang shapes.
pub const SEEDS: &[&str] = &[
    "",
    "hxxps[:]//evil[.]com/a?b=c",
    "1.2.3.4:99999 1.2.3.4/33 [2001:db8::1]:443 ::ffff:1.2.3.4",
    "user[at]evil[.]com <http://x.com|x.com> [a](http://b.com/c)",
    "HKLM\\Software\\X C:\\a b\\c.exe %APPDATA%\\x /tmp/.x mutex \"a'b\"",
    "CVE-2024-3400 T1059.001 TA0001 AS13335 ASN 1 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "аррӏе.com xn--80ak6aa92e.com ü.de \u{200b}evil.com",
    "[.][.][.] (.)(.) {.} \\.\\. [at][@] hxxp hxxp[:] fxp[://]",
    "\u{0}hXXp.Bd/[T@",
    "evil dot com, a [dot] b (dot) c {dot} d, x(at)y{at}z[@]w(@)v, hxxp[://]q h[xx]ps://r.com",
    "see 45.137.21[.]9:8080/x and 10.0.0.1-10.0.0.9, 194.26.29.7/24, version 1.2.3.4",
    "ja3 e7d705a3286e19ea42f587b344ee6865 commit 3f786850e387550fdab836ed7e6dc881de23001b",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
    "dropped invoice.docm and setup.zip; C2 domain setup.zip; triage.py README.md",
    "/etc/os-release /var/tmp/x persistence /usr/lib/systemd/system/evil.service",
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Run mutant Global\\X1",
];

/// xorshift64*, so the tests need no RNG crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The seeds, then `n` random inputs (alphabet-based, with a seed spliced into every other
/// one), from a fixed seed. Inputs are byte strings; extraction decodes them lossily.
pub fn fuzz_inputs(n: usize) -> Vec<Vec<u8>> {
    const ALPHABET: &[u8] = b"0123456789abcdefABCDEF.:/@[]()<>|\\-_ %'\"`hxtpsTAVCEHKLMndo{}\n\xc3\xa4\xd0\xb0";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out: Vec<Vec<u8>> = SEEDS.iter().map(|s| s.as_bytes().to_vec()).collect();
    for i in 0..n {
        let len = rng.below(160);
        let mut data: Vec<u8> = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
        if i % 2 == 1 {
            let seed = SEEDS[rng.below(SEEDS.len())].as_bytes();
            let at = if data.is_empty() { 0 } else { rng.below(data.len()) };
            data.splice(at..at, seed.iter().copied());
        }
        out.push(data);
    }
    out
}

/// The labelled corpus messages, in file order.
pub fn corpus_messages() -> Vec<(String, String)> {
    corpus::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).into_iter().map(|m| (m.id, m.text)).collect()
}

/// A chat-like text of at least `bytes` bytes, built like `bench/ioc/make_blob.py` (ordinary
/// chat lines with corpus messages mixed in, one message in five), paragraphs separated by a
/// blank line.
pub fn chat_blob(bytes: usize) -> String {
    const WORDS: &str = "the a we our team it is was on for to of and in this that with from at about can \
        please check call patch update meeting later today tomorrow review shift handover \
        ticket alert incident looks fine thanks agreed noted escalated vendor customer \
        server laptop network logs report draft question answer coffee weekend";
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let msgs: Vec<String> = corpus_messages().into_iter().map(|(_, t)| t.replace("\n\n", "\n")).collect();
    let mut rng = Rng(42);
    let mut parts: Vec<String> = Vec::new();
    let mut size = 0;
    while size < bytes {
        let p = if rng.below(5) == 0 {
            msgs[rng.below(msgs.len())].clone()
        } else {
            let n = 6 + rng.below(25);
            let mut s: String = (0..n).map(|_| words[rng.below(words.len())]).collect::<Vec<_>>().join(" ");
            s[..1].make_ascii_uppercase();
            s.push('.');
            s
        };
        size += p.len() + 2;
        parts.push(p);
    }
    parts.join("\n\n")
}

/// Everything the output of one call says: the JSON lines of `format::to_json_lines` plus
/// the full serialisation of each finding (port and flags included).
pub fn render(findings: &[Finding]) -> String {
    let mut s = ioc::format::to_json_lines(findings);
    for f in findings {
        s.push_str(&serde_json::to_string(f).expect("finding serialises"));
        s.push('\n');
    }
    s
}

/// SHA-256 of the rendered output of `extract_all` on each text, with each text's index and
/// length mixed in.
pub fn digest<'a>(texts: impl Iterator<Item = std::borrow::Cow<'a, str>>) -> String {
    let ex = ioc::Extractor::new();
    let mut h = Sha256::new();
    for (i, t) in texts.enumerate() {
        h.update(format!("#{i} {}\n", t.len()));
        h.update(render(&ex.extract_all(&t)));
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The adversarial shapes of `examples/bench.rs`, 20 kB each, plus their concatenation.
pub fn adversarial_inputs() -> Vec<String> {
    let n = 20_000;
    let mut v = vec![
        "1.".repeat(n / 2),
        "45.137.21.9 ".repeat(n / 12),
        ".".repeat(n),
        "0123456789abcdef".repeat(n / 16),
        "[".repeat(n / 2) + &"]".repeat(n / 2),
        "a[.]".repeat(n / 4),
        "1:".repeat(n / 2),
        "a@".repeat(n / 2),
        "http://".repeat(n / 7),
        "http://evil.com/".to_string() + &"a/".repeat(n / 2),
        "http://evil.com/".to_string() + &"(".repeat(n),
        "a.".repeat(n / 2) + "com",
        "hxxp".repeat(n / 4),
        "C:\\a".repeat(n / 4),
    ];
    v.push(v.concat());
    v
}

/// Size of the in-test chat blob.
pub const BLOB_BYTES: usize = 600_000;
/// Number of random fuzz-style inputs.
pub const FUZZ_INPUTS: usize = 4000;

/// (name, digest) for the corpus, the fuzz inputs and the chat blob.
pub fn digests() -> Vec<(&'static str, String)> {
    let msgs = corpus_messages();
    let fuzz = fuzz_inputs(FUZZ_INPUTS);
    let blob = chat_blob(BLOB_BYTES);
    let adv = adversarial_inputs();
    vec![
        ("corpus", digest(msgs.iter().map(|(_, t)| t.as_str().into()))),
        ("fuzz", digest(fuzz.iter().map(|d| String::from_utf8_lossy(d)))),
        ("blob", digest(blob.split("\n\n").map(Into::into))),
        ("adversarial", digest(adv.iter().map(|t| t.as_str().into()))),
    ]
}
