//! Benchmark driver used by `bench/ioc/run` (release build):
//!
//! - `bench predict CORPUS_DIR` prints one JSON line per corpus message:
//!   `{"id": ..., "found": [[type, value], ...]}` (active findings).
//! - `bench throughput FILE [SEP]` prints MB/s of one `extract` call over the whole file
//!   and of one call per message (messages separated by SEP, default a blank line).
//! - `bench adversarial MB` times adversarial inputs of MB and 2*MB megabytes and prints
//!   t(2n)/t(n) for each generator.
//! - `bench adversarial-once INDEX MB` runs one generator once (for instruction counting).

#[path = "../tests/common/corpus.rs"]
mod corpus;

use std::path::Path;
use std::time::{Duration, Instant};

use ioc::Extractor;

fn best_of<F: FnMut() -> usize>(runs: usize, mut f: F) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..runs {
        let t = Instant::now();
        n = std::hint::black_box(f());
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn predict(dir: &str) {
    let ex = Extractor::new();
    for m in corpus::load(Path::new(dir)) {
        let found: Vec<(String, String)> = ex.extract(&m.text).into_iter().map(|f| (f.kind.as_str().to_string(), f.value)).collect();
        println!("{}", serde_json::json!({ "id": m.id, "found": found }));
    }
}

fn throughput(file: &str, sep: &str) {
    let text = std::fs::read_to_string(file).expect("blob file");
    let ex = Extractor::new();
    let (d, n) = best_of(5, || ex.extract_all(&text).len());
    println!("blob_one_call_mb_s {:.1} findings {n} bytes {}", mbps(text.len(), d), text.len());
    let msgs: Vec<&str> = text.split(sep).collect();
    let (d, n) = best_of(5, || msgs.iter().map(|m| ex.extract_all(m).len()).sum());
    println!("per_message_mb_s {:.1} findings {n} messages {}", mbps(text.len(), d), msgs.len());
    let (d, _) = best_of(3, || Extractor::new().allowlist().len());
    println!("extractor_new_ms {:.3}", d.as_secs_f64() * 1e3);
}

type Generator = Box<dyn Fn(usize) -> String>;

fn generators() -> Vec<(&'static str, Generator)> {
    vec![
        ("dotted 1.1.1.1.1...", Box::new(|n| "1.".repeat(n / 2))),
        ("ip list 1.2.3.4 ...", Box::new(|n| "45.137.21.9 ".repeat(n / 12))),
        ("dot run ......", Box::new(|n| ".".repeat(n))),
        ("hex run", Box::new(|n| "0123456789abcdef".repeat(n / 16))),
        ("nested brackets", Box::new(|n| "[".repeat(n / 2) + &"]".repeat(n / 2))),
        ("[.] chain", Box::new(|n| "a[.]".repeat(n / 4))),
        ("colon run 1:1:", Box::new(|n| "1:".repeat(n / 2))),
        ("at-sign run a@a@", Box::new(|n| "a@".repeat(n / 2))),
        ("scheme run http://", Box::new(|n| "http://".repeat(n / 7))),
        ("long url path", Box::new(|n| "http://evil.com/".to_string() + &"a/".repeat(n / 2))),
        ("open parens in url", Box::new(|n| "http://evil.com/".to_string() + &"(".repeat(n))),
        ("domain labels a.a.a", Box::new(|n| "a.".repeat(n / 2) + "com")),
        ("hxxp run", Box::new(|n| "hxxp".repeat(n / 4))),
        ("windows path C:\\", Box::new(|n| "C:\\a".repeat(n / 4))),
    ]
}

/// Runs generator `index` once at `mb` megabytes (for instruction counting under
/// `valgrind --tool=callgrind`, which is immune to load from other processes).
fn adversarial_once(index: usize, mb: usize) {
    let (name, g) = &generators()[index];
    let text = g(mb * 1_000_000);
    let n = Extractor::new().extract_all(&text).len();
    println!("{name} {mb} MB: {n} findings");
}

fn adversarial(mb: usize) {
    let gens = generators();
    let ex = Extractor::new();
    let n = mb * 1_000_000;
    println!("{:<22} {:>10} {:>10} {:>12}", "generator", "t(n) ms", "t(2n) ms", "t(2n)/t(n)");
    for (name, g) in gens {
        let (a, b) = (g(n), g(2 * n));
        // Interleaved best-of-7, so that load from other processes hits both sizes alike.
        let (mut ta, mut tb) = (Duration::MAX, Duration::MAX);
        for _ in 0..7 {
            ta = ta.min(best_of(1, || ex.extract_all(&a).len()).0);
            tb = tb.min(best_of(1, || ex.extract_all(&b).len()).0);
        }
        let r = tb.as_secs_f64() / ta.as_secs_f64();
        println!("{name:<22} {:>10.1} {:>10.1} {:>12.2}", ta.as_secs_f64() * 1e3, tb.as_secs_f64() * 1e3, r);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("predict") => predict(&args[2]),
        Some("throughput") => throughput(&args[2], args.get(3).map_or("\n\n", String::as_str)),
        Some("adversarial") => adversarial(args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10)),
        Some("adversarial-once") => adversarial_once(args[2].parse().expect("index"), args[3].parse().expect("MB")),
        _ => eprintln!("usage: bench predict DIR | throughput FILE [SEP] | adversarial MB"),
    }
}
