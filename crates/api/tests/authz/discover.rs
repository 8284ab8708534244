//! Finds the routes the router registers by reading the route source files, independently of
//! the gate table: every `.route("path", get(..).post(..))` call, with its mount prefix.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The files that register routes and where each is mounted (see `middleware::wrap`).
const MOUNTS: &[(&str, &str)] = &[("routes/mod.rs", "/api/v4"), ("taxii/mod.rs", "/taxii2"), ("feeds.rs", "/feeds")];

const METHODS: &[&str] = &["get", "post", "put", "delete", "patch"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(METHOD, path)` for every route call in `src`.
fn scan(src: &str, prefix: &str, out: &mut BTreeSet<(String, String)>) {
    let mut rest = src;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let trimmed = rest.trim_start();
        let Some(lit) = trimmed.strip_prefix('"') else { continue };
        let end = lit.find('"').unwrap();
        let path = &lit[..end];
        // The arguments run to the parenthesis that closes `.route(`.
        let args = &lit[end + 1..];
        let mut depth = 1;
        let mut close = args.len();
        for (i, c) in args.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let args = &args[..close];
        let full = if path.starts_with(prefix) { path.to_owned() } else { format!("{prefix}{path}") };
        let bytes = args.as_bytes();
        for m in METHODS {
            let needle = format!("{m}(");
            let mut from = 0;
            while let Some(pos) = args[from..].find(&needle) {
                let abs = from + pos;
                let before = if abs == 0 { b' ' } else { bytes[abs - 1] };
                if !(before.is_ascii_alphanumeric() || before == b'_' || before == b':') {
                    out.insert((m.to_ascii_uppercase(), full.clone()));
                }
                from = abs + needle.len();
            }
        }
        rest = &lit[end + 1 + close..];
    }
}

/// Every route of the server, discovered from the source. Panics if a file outside the known
/// mounts registers routes, so a new route file cannot slip past the matrix.
pub fn routes() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = BTreeSet::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&file).unwrap();
        let registers = text.contains(".route(\"") || text.contains(".route(\n");
        match MOUNTS.iter().find(|(f, _)| *f == rel) {
            Some((_, prefix)) => scan(&text, prefix, &mut out),
            None => assert!(!registers, "{rel} registers routes but is not a known mount; add it to the matrix"),
        }
    }
    out
}
