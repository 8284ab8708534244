//! Host names: label rules, the Public Suffix List, IDN to punycode, look-alike detection,
//! and the file-extension tables that keep `triage.py` from becoming a domain.

use psl::Type;

use crate::lex::WordSet;

/// A validated host name in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Lower-case ASCII (punycode for IDNs), no trailing dot.
    pub ascii: String,
    /// The written form contained non-ASCII letters.
    pub idn: bool,
    /// A label mixes scripts, or is made only of letters that imitate Latin ones.
    pub mixed_script: bool,
}

/// Validates `raw` as a public host name (registrable under a known public suffix).
pub fn parse_domain(raw: &str) -> Option<Host> {
    let raw = raw.strip_suffix('.').unwrap_or(raw);
    if raw.is_empty() || raw.len() > 253 * 4 {
        return None;
    }
    if raw.is_ascii() {
        // Lower-case into a stack buffer and validate before allocating: most dotted
        // tokens that reach here are rejected. Longer names fail `labels_ok` anyway.
        let mut buf = [0u8; 253];
        let lower = buf.get_mut(..raw.len())?;
        lower.copy_from_slice(raw.as_bytes());
        lower.make_ascii_lowercase();
        let ascii = std::str::from_utf8(lower).ok()?;
        if !labels_ok(ascii) || !suffix_ok(ascii) {
            return None;
        }
        // Look-alikes already in punycode are flagged too.
        let mixed_script = has_punycode(ascii) && idna::domain_to_unicode(ascii).0.split('.').any(label_is_lookalike);
        return Some(Host { ascii: ascii.to_string(), idn: false, mixed_script });
    }
    let ascii = idna::domain_to_ascii(raw).ok()?;
    if !labels_ok(&ascii) || !suffix_ok(&ascii) {
        return None;
    }
    // Look-alikes are flagged whether written in Unicode or (above) already in punycode.
    let mixed_script = raw.split('.').any(label_is_lookalike);
    Some(Host { ascii, idn: true, mixed_script })
}

fn has_punycode(host: &str) -> bool {
    host.as_bytes().windows(4).any(|w| w == b"xn--")
}

/// Every dot-separated label is 1-63 lower-case letters, digits and inner hyphens; there
/// are at least two labels; the last is alphabetic or punycode.
fn labels_ok(host: &str) -> bool {
    let b = host.as_bytes();
    if b.len() > 253 {
        return false;
    }
    let mut n = 0;
    let mut i = 0;
    let last = loop {
        let start = i;
        while i < b.len() && b[i] != b'.' {
            if !(b[i].is_ascii_lowercase() || b[i].is_ascii_digit() || b[i] == b'-') {
                return false;
            }
            i += 1;
        }
        let label = &b[start..i];
        if label.is_empty() || label.len() > 63 || label[0] == b'-' || label[label.len() - 1] == b'-' {
            return false;
        }
        n += 1;
        if i == b.len() {
            break label;
        }
        i += 1;
    };
    // A top-level label is alphabetic, or an IDN TLD in punycode.
    n >= 2 && (last.iter().all(|c| c.is_ascii_lowercase()) || last.starts_with(b"xn--"))
}

fn suffix_ok(host: &str) -> bool {
    match psl::suffix(host.as_bytes()) {
        Some(s) if s.is_known() => s.as_bytes().len() < host.len() || s.typ() == Some(Type::Private),
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
}

fn script(c: char) -> Option<Script> {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F => Some(Script::Latin),
        0x370..=0x3FF => Some(Script::Greek),
        0x400..=0x52F => Some(Script::Cyrillic),
        _ => None,
    }
}

/// Cyrillic and Greek letters that render like Latin ones.
const LATIN_LOOKALIKES: &str = "аеорсухіјӏѕԁһԛԝүвкмнтοανιρυκτ";

fn label_is_lookalike(label: &str) -> bool {
    let mut seen: Option<Script> = None;
    let mut all_lookalike = true;
    let mut foreign = false;
    for c in label.chars().filter(|c| c.is_alphabetic()) {
        let Some(s) = script(c) else { continue };
        if seen.is_some_and(|p| p != s) {
            return true;
        }
        seen = Some(s);
        if s != Script::Latin {
            foreign = true;
            all_lookalike &= LATIN_LOOKALIKES.contains(c.to_lowercase().next().unwrap_or(c));
        }
    }
    foreign && all_lookalike
}

/// Extensions that are also real top-level domains and are far more often file names in
/// chat (`triage.py`, `README.md`, `payload.zip`, `main.tf`, `Makefile.am`), plus TLDs that
/// are common code identifiers (`subprocess.run`, `user.name`).
pub const FILE_EXT_TLDS: &[&str] = &[
    "py", "md", "zip", "mov", "sh", "pl", "rs", "so", "tf", "pm", "mk", "am", "ac", "in", "sc", "cc", "mm", "ml", "ps", "cat", "one", "pub", "gd",
    "ly", "st", "sx", "ai", "run", "name", "new",
];

/// Extensions that make a token a file name whenever it is not a valid domain, and
/// a file-name candidate otherwise (with context).
pub const FILE_EXTS: &[&str] = &[
    "exe", "dll", "scr", "sys", "drv", "cpl", "ocx", "msi", "msp", "lnk", "hta", "js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "bat",
    "cmd", "pif", "jar", "apk", "ipa", "dmg", "pkg", "deb", "rpm", "bin", "dylib", "iso", "img", "vhd", "vhdx", "zip", "rar", "7z", "tar", "gz",
    "tgz", "bz2", "xz", "cab", "doc", "docx", "docm", "dot", "dotm", "xls", "xlsx", "xlsm", "xlsb", "xll", "ppt", "pptx", "pptm", "rtf", "pdf",
    "one", "html", "htm", "svg", "chm", "py", "pyc", "pl", "sh", "php", "asp", "aspx", "jsp", "war", "txt", "csv", "log", "json", "xml", "yml",
    "yaml", "ini", "cfg", "conf", "dat", "tmp", "bak", "md", "eml", "msg", "iqy", "slk", "sct", "reg", "inf", "elf", "so", "ko", "service", "plist",
    "desktop", "mov", "mp4", "png", "jpg", "gif", "db", "sqlite", "lock", "toml", "rs", "go", "c", "h", "cpp", "java", "rb", "ts",
];

/// Extensions so rarely benign in an incident channel that a bare file name is reported
/// without a context word.
pub const STRONG_FILE_EXTS: &[&str] = &[
    "exe", "dll", "scr", "sys", "cpl", "ocx", "msi", "lnk", "hta", "jse", "vbs", "vbe", "wsf", "ps1", "bat", "cmd", "pif", "jar", "apk", "dmg",
    "iso", "img", "vhd", "vhdx", "docm", "xlsm", "pptm", "xll", "chm", "iqy", "slk", "sct",
];

pub static FILE_EXT_TLD_SET: WordSet = WordSet::new(FILE_EXT_TLDS);
pub static FILE_EXT_SET: WordSet = WordSet::new(FILE_EXTS);
pub static STRONG_FILE_EXT_SET: WordSet = WordSet::new(STRONG_FILE_EXTS);

/// Whether `ext` is in `set` (ASCII case-insensitive).
pub fn ext_in(ext: &str, set: &WordSet) -> bool {
    set.contains(ext.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_against_the_public_suffix_list() {
        assert_eq!(parse_domain("Evil.Example.COM.").unwrap().ascii, "evil.example.com");
        assert!(parse_domain("invoice-docs.net").is_some());
        assert!(parse_domain("bbc.co.uk").is_some());
        assert!(parse_domain("co.uk").is_none());
        assert!(parse_domain("foo.notatld").is_none());
        assert!(parse_domain("1.2.3.4").is_none());
        assert!(parse_domain("-bad.com").is_none());
        assert!(parse_domain("under_score.com").is_none());
        assert!(parse_domain("a..com").is_none());
        assert!(parse_domain("github.io").is_some(), "private suffixes are hosts too");
        assert!(parse_domain("x.y.web.app").is_some());
    }

    /// The implementation before the allocation-free fast path, kept as the reference.
    fn parse_domain_reference(raw: &str) -> Option<Host> {
        let raw = raw.strip_suffix('.').unwrap_or(raw);
        if raw.is_empty() || raw.len() > 253 * 4 {
            return None;
        }
        let idn = !raw.is_ascii();
        let ascii = if idn { idna::domain_to_ascii(raw).ok()? } else { raw.to_ascii_lowercase() };
        let labels_ok = |host: &str| {
            if host.len() > 253 {
                return false;
            }
            let mut n = 0;
            let mut last = "";
            for label in host.split('.') {
                let b = label.as_bytes();
                if b.is_empty() || b.len() > 63 || b[0] == b'-' || b[b.len() - 1] == b'-' {
                    return false;
                }
                if !b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') {
                    return false;
                }
                n += 1;
                last = label;
            }
            n >= 2 && (last.bytes().all(|c| c.is_ascii_lowercase()) || last.starts_with("xn--"))
        };
        if !labels_ok(&ascii) || !suffix_ok(&ascii) {
            return None;
        }
        let mixed_script = if idn {
            raw.split('.').any(label_is_lookalike)
        } else if ascii.contains("xn--") {
            idna::domain_to_unicode(&ascii).0.split('.').any(label_is_lookalike)
        } else {
            false
        };
        Some(Host { ascii, idn, mixed_script })
    }

    #[test]
    fn parse_domain_matches_the_reference() {
        let parts = [
            "evil",
            "com",
            "co",
            "uk",
            "Example",
            "XN--80AK6AA92E",
            "xn--",
            "-a",
            "a-",
            "1",
            "py",
            "zip",
            "github",
            "io",
            "web",
            "app",
            "ü",
            "а",
            "",
            "a_b",
            "x".repeat(63).leak(),
            "y".repeat(64).leak(),
        ];
        let mut seed = 0x5851_f42d_4c95_7f2du64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut names: Vec<String> = vec!["a.".repeat(127) + "com", "b".repeat(250) + ".com", "c".repeat(260) + ".com", ".".into(), "com.".into()];
        for _ in 0..30_000 {
            let k = 1 + rnd(5);
            let mut name: Vec<&str> = (0..k).map(|_| parts[rnd(parts.len())]).collect();
            if rnd(4) == 0 {
                name.push("");
            }
            names.push(name.join("."));
        }
        for name in &names {
            assert_eq!(parse_domain(name), parse_domain_reference(name), "{name:?}");
        }
    }

    #[test]
    fn converts_idn_and_flags_lookalikes() {
        let h = parse_domain("аррӏе.com").unwrap();
        assert!(h.ascii.starts_with("xn--"), "{}", h.ascii);
        assert!(h.idn && h.mixed_script);
        let h = parse_domain("pаypal.com").unwrap();
        assert!(h.mixed_script, "Latin with one Cyrillic a");
        assert!(parse_domain("xn--80ak6aa92e.com").unwrap().mixed_script, "punycode input too");
        let h = parse_domain("bücher.de").unwrap();
        assert_eq!(h.ascii, "xn--bcher-kva.de");
        assert!(!h.mixed_script);
    }
}
