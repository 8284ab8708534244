//! Reading message text: @-mentions, hashtags and the exact-match search tokens.
//!
//! Full-text search engines split `45.137.21.9` into four numbers and a SHA-256 into nothing
//! useful, which is why Mattermost's built-in search cannot find indicators. Every post is
//! therefore also indexed under its *technical tokens*: whole IP addresses, CIDRs, hashes,
//! domains, URLs and e-mail addresses, lower-cased, with common defanging undone, so a search
//! for one finds exactly the messages that carry it.

use std::collections::BTreeSet;

/// What a message mentions.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mentions {
    /// Lower-case usernames after `@`.
    pub usernames: BTreeSet<String>,
    /// `@channel` or `@all`.
    pub channel: bool,
    /// `@here`.
    pub here: bool,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// Finds `@name` mentions. A mention starts at `@` not preceded by a word character (so an
/// e-mail address is not a mention) and ends before the first character a username cannot
/// contain; trailing dots, dashes and underscores are punctuation, not part of the name.
pub fn mentions(message: &str) -> Mentions {
    let bytes = message.as_bytes();
    let mut out = Mentions::default();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'@') {
        let at = i + off;
        i = at + 1;
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let mut end = i;
        while end < bytes.len() && is_name_byte(bytes[end]) {
            end += 1;
        }
        let mut name = &message[i..end];
        name = name.trim_end_matches(['.', '-', '_']);
        if name.is_empty() {
            continue;
        }
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "channel" | "all" => out.channel = true,
            "here" => out.here = true,
            _ => {
                out.usernames.insert(name);
            }
        }
        i = end;
    }
    out
}

/// Space-separated `#hashtags` as Mattermost reports them on posts.
pub fn hashtags(message: &str) -> String {
    let mut tags: Vec<&str> = Vec::new();
    for word in message.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '[' | ']')) {
        if let Some(rest) = word.strip_prefix('#') {
            let tag = rest.trim_end_matches(['.', ':', '!', '?']);
            if tag.len() >= 2
                && tag.chars().next().is_some_and(char::is_alphabetic)
                && tag.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                let full = &word[..tag.len() + 1];
                if !tags.contains(&full) {
                    tags.push(full);
                }
            }
        }
    }
    tags.join(" ")
}

/// Undoes the common defanging notations so that `45[.]137[.]21[.]9` and `hxxp://` index and
/// search like their live forms.
pub fn refang(s: &str) -> String {
    let mut out = s.to_owned();
    for (from, to) in [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[at]", "@"),
        ("(at)", "@"),
        ("[@]", "@"),
        ("[/]", "/"),
        ("\\.", "."),
    ] {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    let lower = out.to_ascii_lowercase();
    for (from, to) in [("hxxps://", "https://"), ("hxxp://", "http://"), ("fxp://", "ftp://")] {
        if let Some(pos) = lower.find(from) {
            out.replace_range(pos..pos + from.len(), to);
        }
    }
    out
}

/// Characters that wrap a token in chat: quotes, brackets, markdown and angle brackets.
fn trim_wrapping(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, '`' | '"' | '\'' | '<' | '>' | '(' | ')' | '*' | '_' | '|' | ',' | ';' | '!' | '?' | '{' | '}' | '~'))
        .trim_end_matches(['.', ':', ']'])
        .trim_start_matches('[')
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a (refanged, lower-case) word is a technical token worth indexing whole.
pub fn is_technical(word: &str) -> bool {
    if word.len() < 4 || word.len() > 512 {
        return false;
    }
    if is_hex(word) {
        return matches!(word.len(), 32 | 40 | 64 | 128);
    }
    let has_letter_or_digit = word.bytes().any(|b| b.is_ascii_alphanumeric());
    has_letter_or_digit
        && (word.contains('.') && !word.starts_with('.') && !word.ends_with('.') && word.split('.').all(|p| !p.is_empty())
            || word.contains("://")
            || (word.contains('@') && word.contains('.'))
            || word.matches(':').count() >= 2)
}

/// The exact-match search tokens of a message: each technical word, refanged and
/// lower-cased, plus the host of each URL and the domain of each e-mail address, so that a
/// search for a domain also finds links to it.
pub fn search_tokens(message: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    let refanged = refang(message);
    for raw in refanged.split(|c: char| c.is_whitespace() || matches!(c, '|' | ',' | ';' | '"' | '\'' | '`' | '(' | ')' | '<' | '>')) {
        let word = trim_wrapping(raw).to_ascii_lowercase();
        if !is_technical(&word) {
            continue;
        }
        if let Some(rest) = word.split_once("://").map(|(_, r)| r) {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit('@').next().unwrap_or(host);
            let host_no_port = strip_port(host);
            if is_technical(host_no_port) {
                out.insert(host_no_port.to_owned());
            }
        } else if let Some((_, domain)) = word.split_once('@') {
            if is_technical(domain) {
                out.insert(domain.to_owned());
            }
        } else if let Some(ip) = ipv4_with_port(&word) {
            out.insert(ip.to_owned());
        }
        out.insert(word);
    }
    out.into_iter().collect()
}

fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
}

fn ipv4_with_port(word: &str) -> Option<&str> {
    let (ip, port) = word.rsplit_once(':')?;
    (ip.split('.').count() == 4 && ip.split('.').all(|p| p.parse::<u8>().is_ok()) && port.parse::<u16>().is_ok()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions_but_not_emails() {
        let m = mentions("hi @Alice and @bob. mail me at carol@example.org, @channel!");
        assert_eq!(m.usernames.into_iter().collect::<Vec<_>>(), vec!["alice", "bob"]);
        assert!(m.channel);
        assert!(!m.here);
    }

    #[test]
    fn indexes_indicators_whole() {
        let t = search_tokens(
            "C2 at 45.137.21.9, see hxxps://evil[.]example/a.php and ```e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855```",
        );
        assert!(t.contains(&"45.137.21.9".to_string()), "{t:?}");
        assert!(t.contains(&"https://evil.example/a.php".to_string()), "{t:?}");
        assert!(t.contains(&"evil.example".to_string()), "{t:?}");
        assert!(t.contains(&"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_string()), "{t:?}");
        assert!(!t.iter().any(|x| x == "c2" || x == "at"));
    }

    #[test]
    fn ip_with_port_also_indexes_the_ip() {
        let t = search_tokens("beacon to 91.240.118.172:8080");
        assert!(t.contains(&"91.240.118.172".to_string()));
        assert!(t.contains(&"91.240.118.172:8080".to_string()));
    }

    #[test]
    fn hashtags_are_collected() {
        assert_eq!(hashtags("#incident and #apt-29, not # or #1"), "#incident #apt-29");
    }
}
