//! Post search: Mattermost's query syntax, resolved against what the caller may read.
//!
//! Syntax: words (all must match unless `is_or_search`), `"quoted phrases"`, `prefix*`,
//! `-excluded`, `#hashtag`, `from:username`, `in:channel-name`, `on:`/`before:`/`after:`
//! with `YYYY-MM-DD` dates in the caller's time zone. Words that look like indicators (IPs,
//! hashes, domains, URLs, e-mail addresses) are matched exactly against the technical-token
//! index rather than through full-text search.

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};
use crate::ids::TeamId;
use crate::model::Post;
use crate::policy::Principal;
use crate::ports::PostSearch;
use crate::text;

/// A parsed query before names are resolved to ids.
#[derive(Debug, Default, PartialEq)]
pub struct ParsedQuery {
    pub words: Vec<String>,
    pub prefixes: Vec<String>,
    pub phrases: Vec<Vec<String>>,
    pub tokens: Vec<String>,
    pub excluded: Vec<String>,
    pub from: Vec<String>,
    pub in_channels: Vec<String>,
    pub on: Option<i64>,
    pub before: Option<i64>,
    pub after: Option<i64>,
}

pub const MAX_QUERY_CHARS: usize = 1024;
pub const MAX_TERMS: usize = 32;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    ((1970..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y, m, d))
}

/// Splits a word into full-text terms: runs of letters and digits, lower-cased.
fn fts_terms(word: &str) -> Vec<String> {
    word.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect()
}

/// Splits the raw query into words, keeping quoted phrases together.
fn split_query(q: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut rest = q;
    while !rest.is_empty() {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        // A phrase may follow a `-` (exclusion) too, but keep it simple: quotes start phrases.
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            out.push((true, after[..end].to_owned()));
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push((false, rest[..end].to_owned()));
            rest = &rest[end..];
        }
    }
    out
}

pub fn parse_query(q: &str) -> Result<ParsedQuery> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::new(ErrorCode::SearchQueryTooComplex).with_param("terms"));
    }
    let parts = split_query(q);
    if parts.len() > MAX_TERMS {
        return Err(Error::new(ErrorCode::SearchQueryTooComplex).with_param("terms"));
    }
    let mut out = ParsedQuery::default();
    for (quoted, part) in parts {
        if quoted {
            let refanged = text::refang(&part).to_ascii_lowercase();
            if text::is_technical(refanged.trim()) {
                out.tokens.push(refanged.trim().to_owned());
            } else {
                let terms = fts_terms(&part);
                if !terms.is_empty() {
                    out.phrases.push(terms);
                }
            }
            continue;
        }
        let lower = part.to_lowercase();
        let filter = |prefix: &str| lower.strip_prefix(prefix).map(str::to_owned);
        if let Some(v) = filter("from:") {
            out.from.push(v.trim_start_matches('@').to_owned());
        } else if let Some(v) = filter("in:").or_else(|| filter("channel:")) {
            out.in_channels.push(v.trim_start_matches('~').to_owned());
        } else if let Some(v) = filter("on:") {
            out.on = Some(parse_date(&v).ok_or_else(|| Error::invalid_param("terms"))?);
        } else if let Some(v) = filter("before:") {
            out.before = Some(parse_date(&v).ok_or_else(|| Error::invalid_param("terms"))?);
        } else if let Some(v) = filter("after:") {
            out.after = Some(parse_date(&v).ok_or_else(|| Error::invalid_param("terms"))?);
        } else if let Some(v) = lower.strip_prefix('-').filter(|v| !v.is_empty()) {
            out.excluded.extend(fts_terms(v));
        } else {
            let refanged = text::refang(&part).to_ascii_lowercase();
            let trimmed = refanged.trim_matches(|c: char| matches!(c, ',' | ';' | '(' | ')' | '<' | '>' | '`' | '\'')).trim_end_matches(['.', ':']);
            if text::is_technical(trimmed) {
                out.tokens.push(trimmed.to_owned());
            } else if let Some(stem) = lower.strip_suffix('*') {
                let terms = fts_terms(stem);
                if let Some((last, init)) = terms.split_last() {
                    out.words.extend(init.iter().cloned());
                    out.prefixes.push(last.clone());
                }
            } else {
                let terms = fts_terms(&part);
                if terms.len() > 1 {
                    out.phrases.push(terms);
                } else {
                    out.words.extend(terms);
                }
            }
        }
    }
    Ok(out)
}

/// A search request as clients send it.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    pub team: Option<TeamId>,
    pub terms: String,
    /// Any term may match rather than all.
    pub or: bool,
    /// The caller's offset from UTC, for `on:`/`before:`/`after:` dates.
    pub tz_offset_secs: i64,
    pub page: i64,
    pub per_page: i64,
}

impl App {
    /// Searches posts in channels the principal may read, newest first.
    pub async fn search_posts(&self, principal: &Principal, req: &SearchRequest) -> Result<Vec<Post>> {
        let (team, or, tz_offset_secs, page, per_page) = (req.team.as_ref(), req.or, req.tz_offset_secs, req.page, req.per_page);
        let terms = req.terms.as_str();
        let q = parse_query(terms)?;
        let mut search = PostSearch {
            words: q.words,
            prefixes: q.prefixes,
            phrases: q.phrases,
            tokens: q.tokens,
            excluded: q.excluded,
            or,
            team: team.cloned(),
            offset: page.max(0) * per_page,
            limit: per_page.clamp(1, 200),
            ..Default::default()
        };
        if search.words.is_empty()
            && search.prefixes.is_empty()
            && search.phrases.is_empty()
            && search.tokens.is_empty()
            && q.from.is_empty()
            && q.in_channels.is_empty()
        {
            return Ok(Vec::new());
        }
        if !q.from.is_empty() {
            let users = self.store.get_users_by_usernames(&q.from).await?;
            if users.is_empty() {
                return Ok(Vec::new());
            }
            search.from_users = users.into_iter().map(|u| u.id).collect();
        }
        if !q.in_channels.is_empty() {
            let mine = self.store.channels_for_user(&principal.user_id, team, true).await?;
            search.in_channels = mine
                .into_iter()
                .filter(|c| q.in_channels.iter().any(|n| c.name == *n || c.display_name.to_lowercase() == *n))
                .map(|c| c.id)
                .collect();
            if search.in_channels.is_empty() {
                return Ok(Vec::new());
            }
        }
        let day = 86_400_000i64;
        let offset_ms = tz_offset_secs.clamp(-14 * 3600, 14 * 3600) * 1000;
        if let Some(d) = q.on {
            search.after = Some(d * day - offset_ms);
            search.before = Some((d + 1) * day - offset_ms);
        }
        if let Some(d) = q.after {
            // "after:2024-01-02" means from the start of the next day.
            search.after = Some((d + 1) * day - offset_ms);
        }
        if let Some(d) = q.before {
            search.before = Some(d * day - offset_ms);
        }
        self.store.search_posts(&principal.user_id, &search).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters_phrases_and_indicators() {
        let q = parse_query(r#"from:alice in:~war-room "lateral movement" 45.137.21.9 beacon* -noise on:2024-03-01"#).unwrap();
        assert_eq!(q.from, vec!["alice"]);
        assert_eq!(q.in_channels, vec!["war-room"]);
        assert_eq!(q.phrases, vec![vec!["lateral".to_string(), "movement".to_string()]]);
        assert_eq!(q.tokens, vec!["45.137.21.9"]);
        assert_eq!(q.prefixes, vec!["beacon"]);
        assert_eq!(q.excluded, vec!["noise"]);
        assert_eq!(q.on, Some(days_from_civil(2024, 3, 1)));
    }

    #[test]
    fn defanged_search_terms_are_refanged() {
        let q = parse_query("evil[.]example hxxp://bad[.]site/x").unwrap();
        assert_eq!(q.tokens, vec!["evil.example", "http://bad.site/x"]);
    }

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
    }

    #[test]
    fn rejects_oversized_queries() {
        assert!(parse_query(&"a ".repeat(40)).is_err());
        assert!(parse_query(&"a".repeat(2000)).is_err());
    }
}
