//! Runs the fuzz-target bodies over seed inputs and a few thousand pseudo-random inputs,
//! and checks that adversarial inputs complete with sane output (speed is measured by
//! `bench/ioc`, never asserted here).

use ioc::{Extractor, fuzz_extract, fuzz_pattern};

const SEEDS: &[&str] = &[
    "",
    "hxxps[:]//evil[.]com/a?b=c",
    "1.2.3.4:99999 1.2.3.4/33 [2001:db8::1]:443 ::ffff:1.2.3.4",
    "user[at]evil[.]com <http://x.com|x.com> [a](http://b.com/c)",
    "HKLM\\Software\\X C:\\a b\\c.exe %APPDATA%\\x /tmp/.x mutex \"a'b\"",
    "CVE-2024-3400 T1059.001 TA0001 AS13335 ASN 1 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "аррӏе.com xn--80ak6aa92e.com ü.de \u{200b}evil.com",
    "[.][.][.] (.)(.) {.} \\.\\. [at][@] hxxp hxxp[:] fxp[://]",
    // Regression (fuzzer, `refang(defang(v)) != v`): a host named `hxxp.bd` made the
    // defanged URL `hxxp[://]hxxp[.]bd/...` refang its host into `http.bd`.
    "\u{0}hXXp.Bd/[T@",
];

/// xorshift64*, so the test needs no RNG crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn fuzz_bodies_hold_on_seeds_and_random_inputs() {
    const ALPHABET: &[u8] = b"0123456789abcdefABCDEF.:/@[]()<>|\\-_ %'\"`hxtpsTAVCE\n\xc3\xa4\xd0\xb0";
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for s in SEEDS {
        fuzz_extract(s.as_bytes());
        fuzz_pattern(s.as_bytes());
    }
    for _ in 0..3000 {
        let len = (rng.next() % 120) as usize;
        let mut data: Vec<u8> = (0..len).map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize]).collect();
        fuzz_extract(&data);
        fuzz_pattern(&data);
        // Splice a seed in to reach deeper states.
        let seed = SEEDS[(rng.next() % SEEDS.len() as u64) as usize].as_bytes();
        let at = if data.is_empty() { 0 } else { (rng.next() % data.len() as u64) as usize };
        data.splice(at..at, seed.iter().copied());
        fuzz_extract(&data);
    }
    // Invalid UTF-8 is decoded lossily and never panics.
    fuzz_extract(&[0xff, 0xfe, b'1', b'.', 0xc3, b'2', b'.', b'3', b'.', b'4']);
}

#[test]
fn adversarial_inputs_complete_with_sane_output() {
    let ex = Extractor::new();
    let n = 200_000;
    let cases: Vec<String> = vec![
        "1.".repeat(n),
        ".".repeat(n),
        "a".repeat(n) + ".com",
        "f".repeat(n),
        "[".repeat(n) + &"]".repeat(n),
        "[.]".repeat(n),
        "a[.]".repeat(n),
        "http://".repeat(n / 4),
        "@".repeat(n) + "a@b.com",
        ":".repeat(n),
        "1:".repeat(n),
        "C:\\".repeat(n / 3),
        "(".repeat(n) + "http://evil.com/" + &")".repeat(n),
        "1.1.1.1 ".repeat(n / 8),
    ];
    for c in &cases {
        let found = ex.extract_all(c);
        let mut last = 0;
        for f in &found {
            assert!(f.start >= last && f.end <= c.len());
            assert_eq!(&c[f.start..f.end], f.raw);
            last = f.end;
        }
    }
    assert_eq!(ex.extract(&"1.1.1.1 ".repeat(1000)).len(), 0, "resolver is suppressed");
    assert_eq!(ex.extract_all(&"1.1.1.1 ".repeat(1000)).len(), 1000);
    assert!(ex.extract(&"1.".repeat(n)).is_empty(), "dotted runs are not IPs");
}
