//! Loader and scorer for the labelled corpus in `crates/ioc/corpus/` (format in its
//! README). Shared by the corpus test and the bench example through `#[path]`.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One labelled message.
pub struct Message {
    pub id: String,
    pub text: String,
    /// Expected (type, canonical value) pairs of active findings.
    pub expect: BTreeSet<(String, String)>,
}

/// Parses one corpus file: `=== id` starts a message, text lines follow until
/// `--- expect`, then `type value` lines until the next `===`.
pub fn parse(text: &str) -> Vec<Message> {
    let mut out = Vec::new();
    let mut cur: Option<(String, Vec<&str>, Vec<&str>, bool)> = None;
    let flush = |cur: Option<(String, Vec<&str>, Vec<&str>, bool)>, out: &mut Vec<Message>| {
        if let Some((id, lines, exp, _)) = cur {
            let expect = exp
                .iter()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| {
                    let (t, v) = l.split_once(' ').unwrap_or_else(|| panic!("bad expect line in {id}: {l}"));
                    (t.to_string(), v.trim().to_string())
                })
                .collect();
            out.push(Message { id, text: lines.join("\n"), expect });
        }
    };
    for line in text.lines() {
        if let Some(id) = line.strip_prefix("=== ") {
            flush(cur.take(), &mut out);
            cur = Some((id.trim().to_string(), Vec::new(), Vec::new(), false));
        } else if let Some(c) = cur.as_mut() {
            if line == "--- expect" {
                c.3 = true;
            } else if c.3 {
                c.2.push(line);
            } else {
                c.1.push(line);
            }
        }
    }
    flush(cur, &mut out);
    out
}

/// Loads every `*.txt` file of the corpus directory, sorted by name.
pub fn load(dir: &Path) -> Vec<Message> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus directory")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files.iter().flat_map(|p| parse(&std::fs::read_to_string(p).expect("corpus file"))).collect()
}

/// True/false positives and false negatives per type.
#[derive(Default, Clone, Copy, Debug)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 { 1.0 } else { self.tp as f64 / (self.tp + self.fp) as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 { 1.0 } else { self.tp as f64 / (self.tp + self.fn_) as f64 }
    }
}

/// Scores one message's predicted pairs against its labels.
pub fn score(
    expect: &BTreeSet<(String, String)>,
    got: &BTreeSet<(String, String)>,
    per_type: &mut BTreeMap<String, Counts>,
    mistakes: &mut Vec<String>,
    id: &str,
) {
    for p in got.union(expect) {
        let c = per_type.entry(p.0.clone()).or_default();
        match (got.contains(p), expect.contains(p)) {
            (true, true) => c.tp += 1,
            (true, false) => {
                c.fp += 1;
                mistakes.push(format!("{id}: FP {} {}", p.0, p.1));
            }
            (false, true) => {
                c.fn_ += 1;
                mistakes.push(format!("{id}: FN {} {}", p.0, p.1));
            }
            (false, false) => {}
        }
    }
}

/// Sums per-type counts.
pub fn total(per_type: &BTreeMap<String, Counts>) -> Counts {
    per_type.values().fold(Counts::default(), |a, c| Counts { tp: a.tp + c.tp, fp: a.fp + c.fp, fn_: a.fn_ + c.fn_ })
}
