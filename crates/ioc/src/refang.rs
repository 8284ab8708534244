//! Refanging (undoing `hxxp`, `[.]`, `[at]`, ...) and defanging for display.
//!
//! Extraction works on a refanged copy of the input. [`Normalized`] remembers where each
//! replacement happened, so spans found in the copy map back to byte offsets in the original
//! text in one forward sweep. Tokens are found with SIMD byte searches and compared in place,
//! so refanging is linear.

use std::borrow::Cow;

use crate::anchors::{Anchors, Class};
use crate::types::IocType;

/// When a token may be replaced.
#[derive(Clone, Copy)]
enum Rule {
    /// Always.
    Always,
    /// Scheme words (`hxxp`, `fxp`): not preceded by a letter or digit, followed by an
    /// optional `s` and then `:` or `[:`.
    Scheme,
    /// The bare word `dot`: only between spaces with a letter or digit beyond them
    /// (`evil dot com`); the spaces are replaced too.
    Between,
    /// `\.`: a letter or digit on both sides.
    Escaped,
}

/// (token, replacement, rule); letters match ASCII case-insensitively (`hXXps`, `[DOT]`).
const TOKENS: &[(&str, &str, Rule)] = &[
    ("hxxp", "http", Rule::Scheme),
    ("h[xx]p", "http", Rule::Scheme),
    ("fxp", "ftp", Rule::Scheme),
    ("[.]", ".", Rule::Always),
    ("(.)", ".", Rule::Always),
    ("{.}", ".", Rule::Always),
    ("[dot]", ".", Rule::Always),
    ("(dot)", ".", Rule::Always),
    ("dot", ".", Rule::Between),
    ("\\.", ".", Rule::Escaped),
    ("[:]", ":", Rule::Always),
    ("[://]", "://", Rule::Always),
    ("[/]", "/", Rule::Always),
    ("[at]", "@", Rule::Always),
    ("(at)", "@", Rule::Always),
    ("[@]", "@", Rule::Always),
    ("(@)", "@", Rule::Always),
    ("{at}", "@", Rule::Always),
    ("{dot}", ".", Rule::Always),
];

/// Finds every token occurrence, ordered by start, as (start, end, token index), from the
/// [`Class::Refang`] anchors (the bytes at which a token can be recognised: the first byte
/// of bracketed and escaped tokens, the `x` of scheme words `hxxp`, `h[xx]p`, `fxp`, and the
/// `d` of the spaced word `dot`) with in-place (ASCII case-insensitive) comparisons. Linear:
/// each trigger looks at a bounded window.
fn find_tokens(b: &[u8], anchors: &Anchors) -> Vec<(usize, usize, usize)> {
    let mut hits = Vec::new();
    let mut last_end = 0;
    for i in anchors.iter(Class::Refang) {
        let c = b[i];
        let hit = match c {
            b'x' | b'X' => [i.checked_sub(1), i.checked_sub(2)]
                .into_iter()
                .flatten()
                .find_map(|s| longest_at(b, s))
                .filter(|h| matches!(TOKENS[h.2].2, Rule::Scheme)),
            b'd' | b'D' => {
                (i > 0 && b[i - 1] == b' ' && b.get(i + 1..i + 4).is_some_and(|r| r.eq_ignore_ascii_case(b"ot "))).then_some((i, i + 3, DOT_TOKEN))
            }
            _ => longest_at(b, i),
        };
        if let Some(h) = hit.filter(|h| h.0 >= last_end) {
            last_end = h.1;
            hits.push(h);
        }
    }
    hits
}

/// The tokens (indices into [`TOKENS`]) that can start with byte `c`.
#[cfg(test)]
fn starting_with(c: u8) -> &'static [usize] {
    match c.to_ascii_lowercase() {
        b'h' => &[0, 1],
        b'f' => &[2],
        b'[' => &[3, 6, 10, 11, 12, 13, 15],
        b'(' => &[4, 7, 14, 16],
        b'{' => &[5, 17, 18],
        b'\\' => &[9],
        _ => &[],
    }
}

/// The tokens that can start with byte `c`, the most frequent first. No token is a prefix of
/// another (unit test), so at most one matches at a place and the order is free.
fn starting_with_frequent_first(c: u8) -> &'static [usize] {
    match c.to_ascii_lowercase() {
        b'h' => &[0, 1],
        b'f' => &[2],
        b'[' => &[3, 10, 13, 6, 11, 12, 15],
        b'(' => &[4, 7, 14, 16],
        b'{' => &[5, 18, 17],
        b'\\' => &[9],
        _ => &[],
    }
}

/// The token (other than the spaced `dot`) that starts at `i`.
fn longest_at(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    let rest = &b[i..];
    starting_with_frequent_first(*rest.first()?).iter().find_map(|&k| {
        let tok = TOKENS[k].0.as_bytes();
        rest.get(..tok.len()).is_some_and(|r| r.eq_ignore_ascii_case(tok)).then_some((i, i + tok.len(), k))
    })
}

/// Index of the spaced word `dot` in [`TOKENS`].
const DOT_TOKEN: usize = 8;

/// One replacement: in the normalized text `[norm_start, norm_end)` came from
/// `[orig_start, orig_end)` of the input.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edit {
    pub norm_start: usize,
    pub norm_end: usize,
    pub orig_start: usize,
    pub orig_end: usize,
}

/// A refanged view of an input text plus the edits needed to map offsets back.
pub(crate) struct Normalized<'a> {
    pub text: Cow<'a, str>,
    pub edits: Vec<Edit>,
}

/// Whether the token at `[start, end)` may be replaced, and the range to replace: the
/// separators `[.]`, `[dot]`, `(dot)`, `[at]`, `[@]` and the word `dot` swallow one space on
/// each side when written between words (`evil [.] com`, `user [at] evil.com`).
fn allowed(rule: Rule, bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let at = |i: Option<usize>| i.and_then(|i| bytes.get(i).copied());
    let alnum = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
    let spaced = at(start.checked_sub(1)) == Some(b' ') && at(Some(end)) == Some(b' ') && alnum(at(start.checked_sub(2))) && alnum(at(Some(end + 1)));
    match rule {
        Rule::Always if spaced && bytes[start] != b'\\' && !bytes[start..end].contains(&b':') && !bytes[start..end].contains(&b'/') => {
            Some((start - 1, end + 1))
        }
        Rule::Always => Some((start, end)),
        Rule::Scheme => {
            // `hxxp:`, `hxxps:`, `hxxp[:]`, `hxxps[://]`, but not `hxxp[.]bd` (a host name).
            let mut i = end;
            if matches!(at(Some(i)), Some(b's' | b'S')) {
                i += 1;
            }
            let colon = at(Some(i)) == Some(b':') || (at(Some(i)) == Some(b'[') && at(Some(i + 1)) == Some(b':'));
            (!alnum(at(start.checked_sub(1))) && colon).then_some((start, end))
        }
        Rule::Between => spaced.then(|| (start - 1, end + 1)),
        Rule::Escaped => (alnum(at(start.checked_sub(1))) && alnum(at(Some(end)))).then_some((start, end)),
    }
}

/// Refangs `input`, recording each edit. Borrows the input when nothing is defanged.
pub(crate) fn normalize(input: &str) -> Normalized<'_> {
    normalize_with(input, &Anchors::new(input.as_bytes()))
}

/// [`normalize`] with the anchors of `input` already computed.
pub(crate) fn normalize_with<'a>(input: &'a str, anchors: &Anchors) -> Normalized<'a> {
    if !anchors.has(Class::Refang) {
        return Normalized { text: Cow::Borrowed(input), edits: Vec::new() };
    }
    let bytes = input.as_bytes();
    let mut out: Option<String> = None;
    let mut edits = Vec::new();
    let mut copied = 0;
    for (start, end, token) in find_tokens(bytes, anchors) {
        let (_, repl, rule) = TOKENS[token];
        let Some((s, e)) = allowed(rule, bytes, start, end) else {
            continue;
        };
        if s < copied {
            continue;
        }
        let buf = out.get_or_insert_with(|| String::with_capacity(input.len()));
        buf.push_str(&input[copied..s]);
        let norm_start = buf.len();
        buf.push_str(repl);
        edits.push(Edit { norm_start, norm_end: buf.len(), orig_start: s, orig_end: e });
        copied = e;
    }
    let text = match out {
        Some(mut buf) => {
            buf.push_str(&input[copied..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(input),
    };
    Normalized { text, edits }
}

/// Maps offsets of the normalized text back to the input. Queries must come in
/// non-decreasing order of `start` for the sweep to stay linear; it falls back to a
/// binary search when they do not.
pub(crate) struct OffsetMapper<'e> {
    edits: &'e [Edit],
    /// Index of the first edit whose `norm_end` is beyond the last query start.
    cursor: usize,
}

impl<'e> OffsetMapper<'e> {
    pub fn new(edits: &'e [Edit]) -> Self {
        OffsetMapper { edits, cursor: 0 }
    }

    /// Maps a normalized position; a position inside a replacement maps to its start
    /// (`is_end == false`) or end (`is_end == true`).
    fn map_from(&self, idx: usize, pos: usize, is_end: bool) -> usize {
        // `idx` is the number of edits with norm_end <= pos (exclusive edits before).
        let mut i = idx;
        while i < self.edits.len() && self.edits[i].norm_end <= pos {
            i += 1;
        }
        if i < self.edits.len() && self.edits[i].norm_start < pos {
            let e = self.edits[i];
            return if is_end { e.orig_end } else { e.orig_start };
        }
        match i.checked_sub(1) {
            Some(j) => self.edits[j].orig_end + (pos - self.edits[j].norm_end),
            None => pos,
        }
    }

    /// Maps `[start, end)` and reports whether any edit lies inside it.
    pub fn map(&mut self, start: usize, end: usize) -> (usize, usize, bool) {
        if self.cursor > 0 && self.edits[self.cursor - 1].norm_end > start {
            self.cursor = self.edits.partition_point(|e| e.norm_end <= start);
        }
        while self.cursor < self.edits.len() && self.edits[self.cursor].norm_end <= start {
            self.cursor += 1;
        }
        let s = self.map_from(self.cursor, start, false);
        let mut j = self.cursor;
        let mut defanged = false;
        while j < self.edits.len() && self.edits[j].norm_start < end {
            defanged = true;
            if self.edits[j].norm_end > end {
                break;
            }
            j += 1;
        }
        let e = self.map_from(j.min(self.edits.len()), end, true);
        (s, e, defanged)
    }
}

/// Replaces every defang token in `text` with what it stands for
/// (`hxxps[:]//evil[.]com` becomes `https://evil.com`).
pub fn refang(text: &str) -> String {
    normalize(text).text.into_owned()
}

/// Renders a canonical value so that it cannot be clicked or resolved by accident:
/// dots become `[.]`, `@` becomes `[@]`, IPv6 colons become `[:]`, and URL schemes become
/// `hxxp`, `hxxps` or `fxp`. Hashes, CVEs and other non-network values are returned as is.
/// For canonical values, `refang(&defang(kind, v)) == v`.
pub fn defang(kind: IocType, value: &str) -> String {
    match kind {
        IocType::Ipv4 | IocType::Ipv4Cidr | IocType::Domain => value.replace('.', "[.]"),
        IocType::Ipv6 | IocType::Ipv6Cidr => value.replace(':', "[:]"),
        IocType::Email => value.replace('.', "[.]").replace('@', "[@]"),
        IocType::Url => defang_url(value),
        _ => value.to_string(),
    }
}

fn defang_url(value: &str) -> String {
    let (scheme, rest) = match value.find("://") {
        Some(i) => (&value[..i], &value[i + 3..]),
        None => return value.replace('.', "[.]"),
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => "hxxp".to_string(),
        "https" => "hxxps".to_string(),
        "ftp" => "fxp".to_string(),
        _ => scheme.to_string(),
    };
    format!("{scheme}[://]{}{tail}", host.replace('.', "[.]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refangs_every_listed_style() {
        let cases = [
            ("hxxp://evil[.]com/a", "http://evil.com/a"),
            ("hXXps[:]//evil(.)com", "https://evil.com"),
            ("http[://]evil{.}com", "http://evil.com"),
            ("evil[dot]com evil(dot)com evil dot com", "evil.com evil.com evil.com"),
            ("evil\\.com", "evil.com"),
            ("user[at]evil[.]com user(at)x.org a[@]b.net", "user@evil.com user@x.org a@b.net"),
            ("fxp://files[.]example[.]net", "ftp://files.example.net"),
            ("http://evil[.]com[/]a", "http://evil.com/a"),
            ("45[.]137[.]21[.]9", "45.137.21.9"),
        ];
        for (input, want) in cases {
            assert_eq!(refang(input), want, "{input}");
        }
    }

    #[test]
    fn token_indices_match_the_table() {
        assert_eq!(TOKENS[DOT_TOKEN].0, "dot");
        for (k, (tok, _, rule)) in TOKENS.iter().enumerate() {
            let first = tok.as_bytes()[0];
            assert_eq!(starting_with(first).contains(&k), !matches!(rule, Rule::Between), "{tok}");
        }
    }

    #[test]
    fn frequent_first_lists_match_the_table() {
        for c in 0..=255u8 {
            let mut want: Vec<usize> = starting_with(c).to_vec();
            let mut got = starting_with_frequent_first(c).to_vec();
            want.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, want, "{c}");
        }
        // No token is a prefix of another, so the first match is the only (and longest) one.
        for (a, _, _) in TOKENS {
            for (b, _, _) in TOKENS {
                let prefix = b.len() >= a.len() && b.as_bytes()[..a.len()].eq_ignore_ascii_case(a.as_bytes());
                assert!(a == b || !prefix, "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn leaves_ordinary_words_alone() {
        for s in ["connect the dot", "dot com", "shxxp: no", "fxpa", "a \\. b", "we met at noon"] {
            assert_eq!(refang(s), s);
        }
    }

    #[test]
    fn offsets_map_back_to_the_raw_span() {
        let input = "see hxxp://evil[.]com[.]ru/x and 1[.]2[.]3[.]4 ok";
        let n = normalize(input);
        let mut m = OffsetMapper::new(&n.edits);
        let url = n.text.find("http").unwrap();
        let url_end = n.text.find(" and").unwrap();
        let (s, e, d) = m.map(url, url_end);
        assert_eq!(&input[s..e], "hxxp://evil[.]com[.]ru/x");
        assert!(d);
        let ip = n.text.find("1.2").unwrap();
        let (s, e, d) = m.map(ip, ip + 7);
        assert_eq!(&input[s..e], "1[.]2[.]3[.]4");
        assert!(d);
        let ok = n.text.find("ok").unwrap();
        let (s, e, d) = m.map(ok, ok + 2);
        assert_eq!(&input[s..e], "ok");
        assert!(!d);
    }

    #[test]
    fn defang_round_trips() {
        let cases = [
            (IocType::Url, "https://evil.example.com/a.php?x=1"),
            (IocType::Domain, "evil.example.com"),
            (IocType::Email, "a.b@evil.net"),
            (IocType::Ipv6, "2001:db8::1"),
            (IocType::Ipv4Cidr, "10.0.0.0/8"),
        ];
        for (k, v) in cases {
            let d = defang(k, v);
            assert!(!d.contains("http://"), "{d}");
            assert_eq!(refang(&d), v);
        }
        assert_eq!(defang(IocType::Url, "http://a.com/x.php"), "hxxp[://]a[.]com/x.php");
    }
}
