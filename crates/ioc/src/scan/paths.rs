//! Windows and Unix file paths, registry keys and mutex names. All of them end at a bounded
//! distance (`MAX_PATH_LEN`), so reading one is constant work per anchor.

use super::{Cand, Ctx};
use crate::lex::{WordSet, char_at, context_has, trim_trailing};
use crate::types::IocType;

const MAX_PATH_LEN: usize = 1024;
const UNIX_ROOTS: &[&[u8]] = &[
    b"tmp",
    b"var",
    b"etc",
    b"usr",
    b"home",
    b"root",
    b"opt",
    b"bin",
    b"sbin",
    b"lib",
    b"lib64",
    b"dev",
    b"proc",
    b"srv",
    b"boot",
    b"Library",
    b"Users",
    b"Applications",
    b"private",
    b"System",
];
/// Words before a Unix path outside the scratch roots that make it an artifact.
const PATH_WORDS: &[&str] = &[
    "persistence",
    "unit",
    "dropped",
    "drops",
    "writes",
    "wrote",
    "installs",
    "installed",
    "binary",
    "webshell",
    "backdoor",
    "implant",
    "payload",
    "modified",
    "created",
    "creates",
    "cron",
    "service",
];
static PATH: WordSet = WordSet::new(PATH_WORDS);
const HIVES: &[(&str, &str)] = &[
    ("HKLM", "HKEY_LOCAL_MACHINE"),
    ("HKCU", "HKEY_CURRENT_USER"),
    ("HKCR", "HKEY_CLASSES_ROOT"),
    ("HKU", "HKEY_USERS"),
    ("HKCC", "HKEY_CURRENT_CONFIG"),
];

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// The end of a path or key starting at `start`. Inside quotes it runs to the closing quote;
/// otherwise to whitespace, except that a space followed by a word that contains a
/// backslash continues the path (`C:\Program Files\x`, `Windows NT\CurrentVersion`).
fn path_end(ctx: &Ctx<'_>, start: usize, backslashes: bool) -> Option<usize> {
    let b = ctx.bytes;
    let limit = (start + MAX_PATH_LEN).min(b.len());
    let quote = start.checked_sub(1).map(|i| b[i]).filter(|&q| is_quote(q));
    let mut p = start;
    while p < limit {
        let c = b[p];
        if let Some(q) = quote {
            if c == q || c == b'\n' {
                return Some(p);
            }
        } else if c == b' ' && backslashes {
            if !continues(b, p + 1, limit) {
                break;
            }
        } else if c.is_ascii_whitespace() || is_quote(c) || matches!(c, b'<' | b'>' | b'|' | b'*' | b'?' | b',') {
            break;
        }
        p += char_at(ctx.text, p).map_or(1, char::len_utf8);
    }
    if p >= limit && p < b.len() {
        return None;
    }
    Some(trim_trailing(ctx.text, start, p))
}

/// After a space inside a Windows path or key: do up to three more words follow, each
/// capitalised (or parenthesised), the last of them containing a backslash? Bounded to 64 bytes.
fn continues(b: &[u8], mut p: usize, limit: usize) -> bool {
    let stop = limit.min(p + 64);
    for _ in 0..3 {
        let end = (p..stop).find(|&k| b[k].is_ascii_whitespace() || is_quote(b[k])).unwrap_or(stop);
        let word = &b[p..end];
        let starts_ok = word.first().is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'(');
        if !starts_ok {
            return false;
        }
        if word.contains(&b'\\') {
            return true;
        }
        if end >= stop || b[end] != b' ' {
            return false;
        }
        p = end + 1;
    }
    false
}

fn push(ctx: &Ctx<'_>, out: &mut Vec<Cand>, kind: IocType, s: usize, e: usize, value: String, conf: u8) -> Option<usize> {
    out.push(ctx.cand(kind, s, e, value, conf));
    Some(e)
}

/// `C:\Users\x\evil.exe`: a one-letter word followed by `:\`.
pub(super) fn drive(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    if !b[s].is_ascii_alphabetic() || b.get(e..e + 2) != Some(b":\\") || b.get(e + 2).is_none_or(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let end = path_end(ctx, s, true)?;
    (end > e + 2).then_some(())?;
    push(ctx, out, IocType::FilePath, s, end, ctx.text[s..end].to_string(), 65)
}

/// `%APPDATA%\x\y.dll` and `/tmp/.x/kinsing`.
pub(super) fn env_or_unix(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    let prev = s.checked_sub(1).map(|i| b[i])?;
    if prev == b'%' && b.get(e) == Some(&b'%') && b.get(e + 1) == Some(&b'\\') {
        let start = s - 1;
        let end = path_end(ctx, start, true)?;
        (end > e + 2).then_some(())?;
        return push(ctx, out, IocType::FilePath, start, end, ctx.text[start..end].to_string(), 65);
    }
    let before_slash = s.checked_sub(2).map(|i| b[i]);
    if prev == b'/'
        && b.get(e) == Some(&b'/')
        && before_slash.is_none_or(|c| c.is_ascii_whitespace() || is_quote(c) || matches!(c, b'(' | b'=' | b',' | b'[' | b':'))
        && UNIX_ROOTS.contains(&&b[s..e])
    {
        let start = s - 1;
        let end = path_end(ctx, start, false)?;
        (end > e + 1).then_some(())?;
        let path = &ctx.text[start..end];
        // Scratch and web roots are where implants live; elsewhere a path needs a hidden
        // component or a context word, so `/etc/os-release` in a how-to stays quiet.
        let staging = [&b"tmp"[..], b"dev", b"var"].contains(&&b[s..e]);
        let hidden = path.contains("/.");
        if !(staging || hidden || context_has(b, start, 3, &PATH)) {
            return None;
        }
        return push(ctx, out, IocType::FilePath, start, end, path.to_string(), 55);
    }
    None
}

/// `HKLM\Software\...`, `HKCU:\...` (PowerShell), `HKEY_LOCAL_MACHINE\...`. The canonical
/// value spells the hive out in full.
pub(super) fn registry(ctx: &Ctx<'_>, s: usize, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    if !matches!(b.get(e), Some(b'\\' | b':' | b'_')) {
        return None;
    }
    let w = std::str::from_utf8(&b[s..e]).ok()?.to_ascii_uppercase();
    let (hive, key_start) = if w == "HKEY" {
        let name_end = e + b[e..].iter().take(24).take_while(|c| c.is_ascii_alphabetic() || **c == b'_').count();
        let name = std::str::from_utf8(&b[s..name_end]).ok()?.to_ascii_uppercase();
        HIVES.iter().find(|h| h.1 == name)?;
        (name, name_end)
    } else {
        (HIVES.iter().find(|h| h.0 == w)?.1.to_string(), e)
    };
    let sep = if b.get(key_start..key_start + 2) == Some(b":\\") { key_start + 1 } else { key_start };
    if b.get(sep) != Some(&b'\\') || s > 0 && matches!(b[s - 1], b'\\' | b'_') {
        return None;
    }
    let end = path_end(ctx, s, true)?;
    let rest = ctx.text.get(sep..end)?.trim_end_matches('\\');
    if rest.len() < 2 {
        return None;
    }
    push(ctx, out, IocType::RegistryKey, s, end, format!("{hive}{rest}"), 70)
}

/// The name after the word `mutex` / `mutant`: quoted, or one token that looks like an
/// identifier (has a digit, capital, `\`, `_`, `-` or `{`), so prose after the word is not
/// taken.
pub(super) fn mutex(ctx: &Ctx<'_>, e: usize, out: &mut Vec<Cand>) -> Option<usize> {
    let b = ctx.bytes;
    let mut p = e;
    let skip_words: &[&[u8]] = &[b"name", b"named", b"called", b"object", b"is", b"value"];
    for _ in 0..4 {
        while p < b.len() && p < e + 16 && matches!(b[p], b' ' | b'\t' | b':' | b'=' | b'|' | b'-') {
            p += 1;
        }
        let w_end = p + b[p..].iter().take(8).take_while(|c| c.is_ascii_alphabetic()).count();
        if skip_words.iter().any(|w| w.eq_ignore_ascii_case(&b[p..w_end])) && b.get(w_end).is_some_and(|c| !c.is_ascii_alphanumeric()) {
            p = w_end;
        } else {
            break;
        }
    }
    if p >= b.len() {
        return None;
    }
    let (start, end, quoted) = if is_quote(b[p]) {
        let q = b[p];
        let close = b[p + 1..].iter().take(257).position(|&c| c == q || c == b'\n')?;
        (p + 1, p + 1 + close, true)
    } else {
        let len = b[p..].iter().take(257).take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'|' | b',' | b';' | b')')).count();
        (p, trim_trailing(ctx.text, p, p + len), false)
    };
    if end <= start || end - start > 256 || !ctx.text.is_char_boundary(start) || !ctx.text.is_char_boundary(end) {
        return None;
    }
    let name = &ctx.text[start..end];
    let looks_like_id = name.bytes().any(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || matches!(c, b'\\' | b'_' | b'-' | b'{'));
    if !(quoted || looks_like_id) || name.len() < 3 {
        return None;
    }
    let mut c = ctx.cand(IocType::Mutex, start, end, name.to_string(), 70);
    c.flags.from_context = true;
    out.push(c);
    Some(end)
}
