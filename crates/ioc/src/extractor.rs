//! The [`Extractor`]: refang, scan, map offsets back, apply the allow-list.

use crate::allowlist::Allowlist;
use crate::anchors::Anchors;
use crate::refang::{OffsetMapper, normalize_with};
use crate::scan::{Ctx, scan};
use crate::types::Finding;

/// Extracts indicators from text. Build it once and share it (`Send + Sync`, read-only);
/// building costs one copy of the allow-list tables.
#[derive(Debug, Clone)]
pub struct Extractor {
    allowlist: Allowlist,
}

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new()
    }
}

impl Extractor {
    /// An extractor with the built-in allow-lists.
    pub fn new() -> Self {
        Extractor { allowlist: Allowlist::new() }
    }

    /// An extractor with the given allow-list (start from [`Allowlist::new`] to keep the
    /// built-in entries, or from [`Allowlist::empty`] to drop them).
    pub fn with_allowlist(allowlist: Allowlist) -> Self {
        Extractor { allowlist }
    }

    pub fn allowlist(&self) -> &Allowlist {
        &self.allowlist
    }

    /// Findings that no allow-list entry matched, ordered by `start`.
    pub fn extract(&self, text: &str) -> Vec<Finding> {
        let mut all = self.extract_all(text);
        all.retain(Finding::is_active);
        all
    }

    /// All findings, suppressed ones included (with `suppressed` set), ordered by `start`.
    /// Never fails and never panics; runs in time linear in `text.len()`.
    pub fn extract_all(&self, text: &str) -> Vec<Finding> {
        let mut anchors = Anchors::new(text.as_bytes());
        let norm = normalize_with(text, &anchors);
        if !norm.edits.is_empty() {
            // Refanging changed the text: find the anchors again (defanged messages are rare).
            anchors.fill(norm.text.as_bytes());
        }
        let ctx = Ctx::with_anchors(&norm.text, &norm.edits, &anchors);
        let cands = scan(&ctx);
        let mut mapper = OffsetMapper::new(&norm.edits);
        let mut out = Vec::with_capacity(cands.len());
        for c in cands {
            let (start, end, defanged) = mapper.map(c.start, c.end);
            let Some(raw) = text.get(start..end) else {
                continue;
            };
            let mut flags = c.flags;
            flags.defanged = defanged;
            let mut confidence = c.confidence;
            if defanged {
                confidence = confidence.saturating_add(15).min(100);
            }
            let mut f = Finding { kind: c.kind, value: c.value, raw: raw.to_string(), start, end, confidence, suppressed: None, port: c.port, flags };
            f.suppressed = self.allowlist.check_parsed(&f, c.net).cloned();
            out.push(f);
        }
        out
    }
}
