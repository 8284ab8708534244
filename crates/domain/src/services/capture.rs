//! Capture: running the indicator engine on posts, and keeping its allow-list current.
//!
//! Extraction is pure and linear-time; it runs before the post's write, and the sightings
//! are stored in the post's own transaction, so a post and what was captured from it are
//! committed (or lost) together.

use crate::app::App;
use crate::error::Result;
use crate::model::{Capture, Channel, IntelMode, User};
use crate::ports::PostIntel;
use std::sync::Arc;

/// Builds the engine with the built-in allow-lists, the administrator's additions, and the
/// analysts' `(kind, value, reason)` rejections.
pub fn build_extractor(admin_text: &str, analyst_entries: &[(String, String, String)]) -> ioc::Extractor {
    let mut list = ioc::Allowlist::new();
    if let Err(e) = list.extend_from_str(admin_text) {
        tracing::warn!(error = %e, "ignoring the rest of the administrator's allow-list");
    }
    let mut text = String::new();
    for (kind, value, reason) in analyst_entries {
        let entry_kind = match kind.as_str() {
            "ipv4" | "ipv6" | "ipv4_cidr" | "ipv6_cidr" => "cidr",
            "domain" => "domain",
            _ => "value",
        };
        let reason: String = reason.chars().filter(|c| !c.is_control()).collect();
        text.push_str(&format!("{entry_kind} {value} analyst {reason}\n"));
    }
    if let Err(e) = list.extend_from_str(&text) {
        tracing::warn!(error = %e, "an analyst allow-list entry could not be read");
    }
    ioc::Extractor::with_allowlist(list)
}

impl App {
    pub(crate) fn extractor(&self) -> Arc<ioc::Extractor> {
        self.extractor.read().map(|e| e.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Rebuilds the engine after the allow-list changed.
    pub async fn reload_allowlist(&self) -> Result<()> {
        let entries = self.store.allowlist_entries().await?;
        let extractor = Arc::new(build_extractor(&self.settings.allowlist_extra, &entries));
        match self.extractor.write() {
            Ok(mut slot) => *slot = extractor,
            Err(poisoned) => *poisoned.into_inner() = extractor,
        }
        Ok(())
    }

    /// Wakes the publisher.
    pub(crate) fn intel_changed(&self) {
        self.intel_notify.notify_one();
    }

    /// What to capture from a message posted to a channel, or `None` when the channel does
    /// not capture.
    pub(crate) fn capture(&self, channel: &Channel, author: Option<&User>, message: &str) -> Option<PostIntel> {
        if channel.intel_mode == IntelMode::Off {
            return None;
        }
        let now = self.now();
        let captures = self
            .extractor()
            .extract(message)
            .into_iter()
            .map(|f| {
                let valid_until = now + crate::services::intel::default_lifetime_days(f.kind.as_str()) * 86_400_000;
                Capture { kind: f.kind.as_str().to_owned(), value: f.value, raw: f.raw, confidence: i64::from(f.confidence), valid_until }
            })
            .collect::<Vec<_>>();
        Some(PostIntel { captures, org_id: author.and_then(|u| u.org_id.clone()), auto_publish: channel.intel_mode == IntelMode::AutoPublish })
    }
}

/// An indicator to highlight in displayed text.
#[derive(Clone, Debug)]
pub struct Highlight {
    pub kind: &'static str,
    pub value: String,
    /// Safe to display: cannot be clicked or resolved by accident.
    pub defanged: String,
    /// Span in UTF-16 code units, as JavaScript indexes strings.
    pub start: usize,
    pub end: usize,
}

impl App {
    /// Indicators in a text for display, with spans a browser can use.
    pub fn highlight(&self, text: &str) -> Vec<Highlight> {
        let findings = self.extractor().extract(text);
        let mut out = Vec::with_capacity(findings.len());
        // Byte offsets to UTF-16 offsets in one pass over the text.
        let mut utf16 = 0usize;
        let mut byte = 0usize;
        let mut chars = text.char_indices().peekable();
        let mut to_utf16 = |target: usize| {
            while byte < target {
                match chars.next() {
                    Some((_, c)) => {
                        utf16 += c.len_utf16();
                        byte = chars.peek().map(|(i, _)| *i).unwrap_or(text.len());
                    }
                    None => break,
                }
            }
            utf16
        };
        for f in findings {
            let start = to_utf16(f.start);
            let end = to_utf16(f.end);
            out.push(Highlight { kind: f.kind.as_str(), defanged: ioc::defang(f.kind, &f.value), value: f.value, start, end });
        }
        out
    }
}
