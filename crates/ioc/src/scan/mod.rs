//! The scanners. Each one walks the refanged text once, left to right, from its own
//! anchors (`://`, `@`, `.`, `:`, runs of letters and digits), looks only at a bounded window
//! or at a region it then skips, and emits candidates in order of their start. The
//! candidates of all scanners are merged and overlaps are resolved in [`resolve`].
//!
//! Architecture invariant: no scanner re-reads an unbounded region for each candidate; a
//! scanner either consumes a region (moving its cursor past it) or reads a fixed-size
//! window. That is what keeps extraction linear on adversarial input.

mod dotted;
mod email;
mod ipv6;
mod paths;
mod url;
mod words;

use crate::anchors::Anchors;
use crate::refang::Edit;
use crate::types::{Flags, IocType};

/// An indicator found in the refanged text, before offsets are mapped back.
#[derive(Debug, Clone)]
pub(crate) struct Cand {
    pub kind: IocType,
    /// Byte offsets into the refanged text.
    pub start: usize,
    pub end: usize,
    pub value: String,
    pub confidence: u8,
    pub port: Option<u16>,
    pub flags: Flags,
    /// For IP findings: the address (network for CIDRs) and prefix length that `value`
    /// spells, so the allow-list need not parse it back.
    pub net: Option<(std::net::IpAddr, Option<u8>)>,
    /// A region that hides what overlaps it and is then dropped (the label of a Slack
    /// `<url|label>` link, which repeats the URL).
    pub shadow: bool,
}

/// The refanged text plus the edits, so scanners can ask whether a span was defanged.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub bytes: &'a [u8],
    edits: &'a [Edit],
    /// Where each scanner may start (see [`Anchors`]).
    pub anchors: &'a Anchors,
}

impl<'a> Ctx<'a> {
    /// `anchors` must have been computed on `text`.
    pub fn with_anchors(text: &'a str, edits: &'a [Edit], anchors: &'a Anchors) -> Self {
        Ctx { text, bytes: text.as_bytes(), edits, anchors }
    }

    /// Whether a defang token was refanged inside `[start, end)`.
    pub fn defanged(&self, start: usize, end: usize) -> bool {
        let i = self.edits.partition_point(|e| e.norm_end <= start);
        self.edits.get(i).is_some_and(|e| e.norm_start < end)
    }

    pub fn cand(&self, kind: IocType, start: usize, end: usize, value: String, confidence: u8) -> Cand {
        Cand { kind, start, end, value, confidence, port: None, flags: Flags::default(), net: None, shadow: false }
    }
}

/// Runs every scanner and returns non-overlapping candidates ordered by start.
pub(crate) fn scan(ctx: &Ctx<'_>) -> Vec<Cand> {
    let mut all = Vec::new();
    url::scan(ctx, &mut all);
    email::scan(ctx, &mut all);
    dotted::scan(ctx, &mut all);
    ipv6::scan(ctx, &mut all);
    words::scan(ctx, &mut all);
    resolve(all)
}

/// Orders candidates by start (longest first on ties) and drops every candidate that
/// overlaps one kept before it. Each scanner's output is already sorted, so the sort
/// merges a handful of runs.
fn resolve(mut all: Vec<Cand>) -> Vec<Cand> {
    all.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    // In place: keep a candidate when it starts at or after the end of the last one kept.
    let mut last_end = 0;
    all.retain(|c| {
        if c.start < last_end || c.start >= c.end {
            return false;
        }
        last_end = c.end;
        true
    });
    all.retain(|c| !c.shadow);
    all
}
