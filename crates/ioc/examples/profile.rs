//! Development aid for instruction-count profiling (`valgrind --tool=callgrind`): one
//! `extract_all` call per paragraph of the given file. The paragraphs are split with a SIMD
//! search beforehand, so that nearly all counted instructions are the extractor's.
fn main() {
    let ex = ioc::Extractor::new();
    let text = std::fs::read_to_string(std::env::args().nth(1).expect("file")).expect("read");
    let mut msgs = Vec::new();
    let mut start = 0;
    for i in memchr::memmem::find_iter(text.as_bytes(), b"\n\n") {
        if i >= start {
            msgs.push(&text[start..i]);
            start = i + 2;
        }
    }
    msgs.push(&text[start..]);
    let n: usize = msgs.iter().map(|m| ex.extract_all(m).len()).sum();
    println!("{n} findings in {} messages", msgs.len());
}
