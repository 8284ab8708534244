//! Prints the digests pinned by `tests/golden.rs` (`digests`), or the rendered output of
//! `extract_all` itself (`dump corpus|fuzz|blob|adversarial|FILE`; a FILE is split into messages at
//! blank lines like `bench throughput`), so two builds can be compared byte for byte.

#[path = "../tests/common/golden.rs"]
mod golden;

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ex = ioc::Extractor::new();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut dump = |texts: &mut dyn Iterator<Item = String>| {
        for (i, t) in texts.enumerate() {
            write!(out, "#{i} {}\n{}", t.len(), golden::render(&ex.extract_all(&t))).expect("stdout");
        }
    };
    match (args.get(1).map(String::as_str), args.get(2).map(String::as_str)) {
        (Some("digests"), _) => {
            for (name, d) in golden::digests() {
                println!("{name} {d}");
            }
        }
        (Some("dump"), Some("corpus")) => dump(&mut golden::corpus_messages().into_iter().map(|m| m.1)),
        (Some("dump"), Some("fuzz")) => {
            dump(&mut golden::fuzz_inputs(golden::FUZZ_INPUTS).into_iter().map(|d| String::from_utf8_lossy(&d).into_owned()))
        }
        (Some("dump"), Some("blob")) => {
            dump(&mut golden::chat_blob(golden::BLOB_BYTES).split("\n\n").map(str::to_string).collect::<Vec<_>>().into_iter())
        }
        (Some("dump"), Some("adversarial")) => dump(&mut golden::adversarial_inputs().into_iter()),
        (Some("dump"), Some(file)) => {
            let text = std::fs::read_to_string(file).expect("file");
            dump(&mut text.split("\n\n").map(str::to_string).collect::<Vec<_>>().into_iter())
        }
        _ => eprintln!("usage: golden digests | dump corpus|fuzz|blob|adversarial|FILE"),
    }
}
