//! Development aid for instruction-count profiling (`valgrind --tool=callgrind`): one
//! `extract_all` call per paragraph of the given file.
fn main() {
    let ex = ioc::Extractor::new();
    let text = std::fs::read_to_string(std::env::args().nth(1).expect("file")).expect("read");
    let n: usize = text.split("\n\n").map(|m| ex.extract_all(m).len()).sum();
    println!("{n} findings");
}
