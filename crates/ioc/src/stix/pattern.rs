//! STIX patterns: generation with escaping that no value can break out of, and a validator
//! for the grammar subset this crate generates (plus the common operators around it).
//!
//! Grammar accepted by [`validate`]:
//!
//! ```text
//! pattern    := observation (("AND" | "OR" | "FOLLOWEDBY") observation)*
//! observation:= ("[" comparisons "]" | "(" pattern ")") qualifier*
//! qualifier  := "WITHIN" number "SECONDS" | "REPEATS" int "TIMES" | "START" ts "STOP" ts
//! comparisons:= comparison (("AND" | "OR") comparison)*
//! comparison := "(" comparisons ")" | "EXISTS" path | path ["NOT"] op operand
//! op         := "=" | "!=" | "<" | ">" | "<=" | ">=" | "LIKE" | "MATCHES" | "ISSUBSET" | "ISSUPERSET" | "IN"
//! path       := object-type ":" step ("." step | "[" (int | "*") "]")*
//! literal    := 'string' (only \' and \\ escapes) | int | float | true | false | t'..' | h'..' | b'..'
//! ```
//!
//! Object types must be STIX 2.1 SCO types or start with `x-`; `file:hashes.X` values must
//! have the right hex length for X, as stix2-validator requires.

use crate::stix::sco::hash_name;
use crate::types::{Finding, IocType};

/// Quotes a string literal: `'` becomes `\'` and `\` becomes `\\`.
pub fn quote(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('\'');
    s
}

/// The STIX pattern for a canonical value, or `None` for types that are not expressed as
/// patterns (CVE, ATT&CK: use `vulnerability` / `attack-pattern` objects).
pub fn pattern_for_value(kind: IocType, value: &str) -> Option<String> {
    let q = quote(value);
    Some(match kind {
        IocType::Ipv4 | IocType::Ipv4Cidr => format!("[ipv4-addr:value = {q}]"),
        IocType::Ipv6 | IocType::Ipv6Cidr => format!("[ipv6-addr:value = {q}]"),
        IocType::Domain => format!("[domain-name:value = {q}]"),
        IocType::Url => format!("[url:value = {q}]"),
        IocType::Email => format!("[email-addr:value = {q}]"),
        IocType::Md5 | IocType::Sha1 | IocType::Sha256 | IocType::Sha512 => {
            let name = hash_name(kind)?;
            if !value.bytes().all(|b| b.is_ascii_hexdigit()) || value.len() != hash_len(name)? {
                return None;
            }
            if name == "MD5" { format!("[file:hashes.MD5 = {q}]") } else { format!("[file:hashes.'{name}' = {q}]") }
        }
        IocType::FileName => format!("[file:name = {q}]"),
        IocType::FilePath => match value.rfind(['\\', '/']) {
            Some(i) if i + 1 < value.len() && i > 0 => {
                format!("[file:name = {} AND file:parent_directory_ref.path = {}]", quote(&value[i + 1..]), quote(&value[..i]))
            }
            _ => format!("[directory:path = {q}]"),
        },
        IocType::RegistryKey => format!("[windows-registry-key:key = {q}]"),
        IocType::Mutex => format!("[mutex:name = {q}]"),
        IocType::Asn => format!("[autonomous-system:number = {}]", value.trim_start_matches("AS").parse::<u64>().ok()?),
        IocType::Ja3 => format!("[network-traffic:extensions.'x-ja3'.hash = {q}]"),
        IocType::Btc | IocType::Xmr | IocType::Eth => format!("[x-crypto-wallet:value = {q}]"),
        IocType::Cve | IocType::AttackTechnique | IocType::AttackTactic => return None,
    })
}

/// The STIX pattern for a finding (see [`pattern_for_value`]).
pub fn pattern_for(f: &Finding) -> Option<String> {
    pattern_for_value(f.kind, &f.value)
}

fn hash_len(name: &str) -> Option<usize> {
    match name.to_ascii_uppercase().as_str() {
        "MD5" => Some(32),
        "SHA-1" | "SHA1" => Some(40),
        "SHA-256" | "SHA256" => Some(64),
        "SHA-512" | "SHA512" => Some(128),
        _ => None,
    }
}

const SCO_TYPES: &[&str] = &[
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LBrack,
    RBrack,
    LParen,
    RParen,
    Colon,
    Dot,
    Comma,
    Star,
    Op(String),
    Word(String),
    Str(String),
    Typed(char, String),
    Num(String),
}

fn lex(p: &str) -> Result<Vec<Tok>, String> {
    let cs: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < cs.len() {
        let c = cs[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '[' => (out.push(Tok::LBrack), i += 1).1,
            ']' => (out.push(Tok::RBrack), i += 1).1,
            '(' => (out.push(Tok::LParen), i += 1).1,
            ')' => (out.push(Tok::RParen), i += 1).1,
            ':' => (out.push(Tok::Colon), i += 1).1,
            '.' => (out.push(Tok::Dot), i += 1).1,
            ',' => (out.push(Tok::Comma), i += 1).1,
            '*' => (out.push(Tok::Star), i += 1).1,
            '=' | '!' | '<' | '>' => {
                let two = cs.get(i + 1) == Some(&'=');
                let op: String = if two { [c, '='].iter().collect() } else { c.to_string() };
                if op == "!" {
                    return Err("`!` must be followed by `=`".into());
                }
                out.push(Tok::Op(op));
                i += if two { 2 } else { 1 };
            }
            '\'' => {
                let (s, n) = string_at(&cs, i)?;
                out.push(Tok::Str(s));
                i = n;
            }
            't' | 'h' | 'b' if cs.get(i + 1) == Some(&'\'') => {
                let (s, n) = string_at(&cs, i + 1)?;
                out.push(Tok::Typed(c, s));
                i = n;
            }
            c if c.is_ascii_digit() || c == '-' => {
                let st = i;
                let mut dot = false;
                i += 1;
                while i < cs.len() && (cs[i].is_ascii_digit() || (!dot && cs[i] == '.' && cs.get(i + 1).is_some_and(char::is_ascii_digit))) {
                    dot |= cs[i] == '.';
                    i += 1;
                }
                out.push(Tok::Num(cs[st..i].iter().collect()));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let st = i;
                while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '_' || cs[i] == '-') {
                    i += 1;
                }
                out.push(Tok::Word(cs[st..i].iter().collect()));
            }
            other => return Err(format!("unexpected character {other:?}")),
        }
    }
    Ok(out)
}

/// Reads a quoted string starting at the quote `cs[i]`; returns (content, index after).
fn string_at(cs: &[char], i: usize) -> Result<(String, usize), String> {
    let mut s = String::new();
    let mut j = i + 1;
    while j < cs.len() {
        match cs[j] {
            '\\' => match cs.get(j + 1) {
                Some(&c @ ('\'' | '\\')) => {
                    s.push(c);
                    j += 2;
                }
                _ => return Err("invalid escape in string literal".into()),
            },
            '\'' => return Ok((s, j + 1)),
            c => {
                s.push(c);
                j += 1;
            }
        }
    }
    Err("unterminated string literal".into())
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, t: Tok) -> Result<(), String> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            x => Err(format!("expected {t:?}, found {x:?}")),
        }
    }

    fn word_is(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > 64 { Err("nesting too deep".into()) } else { Ok(()) }
    }

    fn pattern(&mut self) -> Result<(), String> {
        self.observation()?;
        while self.word_is("AND") || self.word_is("OR") || self.word_is("FOLLOWEDBY") {
            self.pos += 1;
            self.observation()?;
        }
        Ok(())
    }

    fn observation(&mut self) -> Result<(), String> {
        self.nest()?;
        match self.next() {
            Some(Tok::LBrack) => {
                self.comparisons()?;
                self.expect(Tok::RBrack)?;
            }
            Some(Tok::LParen) => {
                self.pattern()?;
                self.expect(Tok::RParen)?;
            }
            t => return Err(format!("expected `[` or `(`, found {t:?}")),
        }
        self.depth -= 1;
        self.qualifiers()
    }

    fn qualifiers(&mut self) -> Result<(), String> {
        loop {
            if self.word_is("WITHIN") {
                self.pos += 1;
                matches!(self.next(), Some(Tok::Num(_))).then_some(()).ok_or("WITHIN needs a number")?;
                self.expect(Tok::Word("SECONDS".into()))?;
            } else if self.word_is("REPEATS") {
                self.pos += 1;
                matches!(self.next(), Some(Tok::Num(_))).then_some(()).ok_or("REPEATS needs an integer")?;
                self.expect(Tok::Word("TIMES".into()))?;
            } else if self.word_is("START") {
                self.pos += 1;
                matches!(self.next(), Some(Tok::Typed('t', _))).then_some(()).ok_or("START needs t'...'")?;
                self.expect(Tok::Word("STOP".into()))?;
                matches!(self.next(), Some(Tok::Typed('t', _))).then_some(()).ok_or("STOP needs t'...'")?;
            } else {
                return Ok(());
            }
        }
    }

    fn comparisons(&mut self) -> Result<(), String> {
        self.comparison()?;
        while self.word_is("AND") || self.word_is("OR") {
            self.pos += 1;
            self.comparison()?;
        }
        Ok(())
    }

    fn comparison(&mut self) -> Result<(), String> {
        if self.peek() == Some(&Tok::LParen) {
            self.nest()?;
            self.pos += 1;
            self.comparisons()?;
            self.depth -= 1;
            return self.expect(Tok::RParen);
        }
        if self.word_is("EXISTS") {
            self.pos += 1;
            return self.path().map(drop);
        }
        let hash = self.path()?;
        if self.word_is("NOT") {
            self.pos += 1;
        }
        let op = match self.next() {
            Some(Tok::Op(o)) => o,
            Some(Tok::Word(w)) if ["LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET", "IN"].contains(&w.as_str()) => w,
            t => return Err(format!("expected a comparison operator, found {t:?}")),
        };
        if op == "IN" {
            self.expect(Tok::LParen)?;
            loop {
                self.literal(None)?;
                match self.next() {
                    Some(Tok::Comma) => continue,
                    Some(Tok::RParen) => return Ok(()),
                    t => return Err(format!("expected `,` or `)`, found {t:?}")),
                }
            }
        }
        self.literal(hash.filter(|_| op == "=" || op == "!="))
    }

    /// Parses an object path; returns the hash algorithm when the path is `file:hashes.X`.
    fn path(&mut self) -> Result<Option<String>, String> {
        let Some(Tok::Word(ty)) = self.next() else {
            return Err("expected an object type".into());
        };
        if !(SCO_TYPES.contains(&ty.as_str()) || ty.starts_with("x-")) || ty.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!("unknown object type {ty:?}"));
        }
        self.expect(Tok::Colon)?;
        let mut steps = vec![self.step()?];
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
                    self.pos += 1;
                    steps.push(self.step()?);
                }
                Some(Tok::LBrack) if matches!(self.toks.get(self.pos + 1), Some(Tok::Num(_) | Tok::Star)) => {
                    self.pos += 2;
                    self.expect(Tok::RBrack)?;
                }
                _ => break,
            }
        }
        Ok((ty == "file" && steps.len() == 2 && steps[0] == "hashes").then(|| steps[1].clone()))
    }

    fn step(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Word(w)) if w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => Ok(w),
            Some(Tok::Str(s)) if !s.is_empty() => Ok(s),
            t => Err(format!("expected a property name, found {t:?}")),
        }
    }

    fn literal(&mut self, hash: Option<String>) -> Result<(), String> {
        match self.next() {
            Some(Tok::Str(s)) => {
                if let Some(len) = hash.as_deref().and_then(hash_len)
                    && (s.len() != len || !s.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    return Err(format!("not a valid {} hash", hash.unwrap_or_default()));
                }
                Ok(())
            }
            Some(Tok::Num(_) | Tok::Typed(..)) => Ok(()),
            Some(Tok::Word(w)) if w == "true" || w == "false" => Ok(()),
            t => Err(format!("expected a literal, found {t:?}")),
        }
    }
}

/// Checks that `pattern` is a well-formed STIX 2.1 pattern in the grammar above.
pub fn validate(pattern: &str) -> Result<(), String> {
    let toks = lex(pattern)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    p.pattern()?;
    match p.peek() {
        None => Ok(()),
        Some(t) => Err(format!("unexpected trailing token {t:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_the_reference_forms() {
        assert_eq!(pattern_for_value(IocType::Ipv4, "45.137.21.9").unwrap(), "[ipv4-addr:value = '45.137.21.9']");
        let h = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(pattern_for_value(IocType::Sha256, h).unwrap(), format!("[file:hashes.'SHA-256' = '{h}']"));
        assert_eq!(
            pattern_for_value(IocType::RegistryKey, "HKEY_CURRENT_USER\\Run").unwrap(),
            "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Run']"
        );
        assert_eq!(pattern_for_value(IocType::Asn, "AS208091").unwrap(), "[autonomous-system:number = 208091]");
        assert!(pattern_for_value(IocType::Cve, "CVE-2024-3400").is_none());
    }

    #[test]
    fn values_cannot_inject_syntax() {
        let evil = "x'] OR [ipv4-addr:value = '1.2.3.4";
        let p = pattern_for_value(IocType::Url, evil).unwrap();
        validate(&p).unwrap();
        assert_eq!(p, "[url:value = 'x\\'] OR [ipv4-addr:value = \\'1.2.3.4']");
        let p = pattern_for_value(IocType::Mutex, "a\\'b\\").unwrap();
        validate(&p).unwrap();
    }

    #[test]
    fn validator_accepts_and_rejects_like_stix2_validator() {
        for ok in [
            "[domain-name:value = 'a.com'] OR [domain-name:value LIKE '%.a.com']",
            "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_port = 8080]",
            "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] FOLLOWEDBY [url:value MATCHES '^x'] WITHIN 600 SECONDS",
            "[ipv4-addr:value ISSUBSET '194.26.29.0/24']",
            "[network-traffic:extensions.'x-ja3'.hash = 'abc']",
            "[file:name NOT IN ('a', 'b')] START t'2025-01-01T00:00:00Z' STOP t'2025-02-01T00:00:00Z'",
        ] {
            validate(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "[ipv4-addr:value = 198.51.100.7.1]",
            "[ipv4-addr:value = \"1.2.3.4\"]",
            "[file:hashes.SHA-256 = 'abc']",
            "[file:hashes.MD5 = 'abcd']",
            "[ip-addr:value = '1.2.3.4']",
            "[url:value = 'unterminated]",
            "[url:value = 'bad \\x escape']",
            "ipv4-addr:value = '1.2.3.4'",
            "[ipv4-addr:value = '1'] AND",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }
}
