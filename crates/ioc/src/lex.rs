//! Small lexical helpers shared by the scanners: byte classes, bounded look-behind for
//! context words, and trimming of the punctuation that chat wraps around indicators.
//!
//! Every helper here looks at a bounded window, so calling it once per candidate keeps a
//! scanner linear in the input length.

/// How far back (in bytes) context words are looked for, never past a line break.
pub const CONTEXT_WINDOW: usize = 64;

#[inline]
pub fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Letters of the scripts that homoglyph domains are built from, accepted inside host names.
pub fn is_idn_letter(c: char) -> bool {
    matches!(c as u32, 0x00C0..=0x024F | 0x0370..=0x03FF | 0x0400..=0x052F) && c.is_alphanumeric() && c != '\u{D7}' && c != '\u{F7}'
}

/// A 256-entry membership table of the bytes in `extra` plus ASCII letters and digits.
const fn alnum_and(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    let mut k = 0;
    while k < extra.len() {
        t[extra[k] as usize] = true;
        k += 1;
    }
    t
}

/// ASCII bytes of host names and dotted tokens.
static HOST_BYTE: [bool; 256] = alnum_and(b"-._");
/// Bytes of context words.
static WORD_BYTE: [bool; 256] = alnum_and(b"_&.");

/// Characters that may appear in a host or dotted token: ASCII letters, digits, `-`, `.`,
/// `_`, and IDN letters.
#[inline]
pub fn is_host_char(c: char) -> bool {
    if c.is_ascii() { HOST_BYTE[c as usize] } else { is_idn_letter(c) }
}

/// The char ending exactly at byte `pos` (exclusive), if any.
pub fn char_before(text: &str, pos: usize) -> Option<char> {
    text.get(..pos)?.chars().next_back()
}

/// The char starting at byte `pos`, if any.
pub fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..)?.chars().next()
}

/// Extends `pos` backwards over chars satisfying `f`, never before `floor`.
pub fn extend_back(text: &str, mut pos: usize, floor: usize, f: impl Fn(char) -> bool) -> usize {
    let b = text.as_bytes();
    while pos > floor {
        // ASCII fast path; multi-byte chars are decoded.
        if let Some(&c) = b.get(pos - 1).filter(|c| c.is_ascii()) {
            if !f(c as char) {
                break;
            }
            pos -= 1;
            continue;
        }
        match char_before(text, pos) {
            Some(c) if f(c) => pos -= c.len_utf8(),
            _ => break,
        }
    }
    pos
}

/// Extends `pos` forwards over chars satisfying `f`, never beyond `limit`.
pub fn extend_fwd(text: &str, mut pos: usize, limit: usize, f: impl Fn(char) -> bool) -> usize {
    let limit = limit.min(text.len());
    let b = text.as_bytes();
    while pos < limit {
        if let Some(&c) = b.get(pos).filter(|c| c.is_ascii()) {
            if !f(c as char) {
                break;
            }
            pos += 1;
            continue;
        }
        match char_at(text, pos) {
            Some(c) if f(c) && pos + c.len_utf8() <= limit => pos += c.len_utf8(),
            _ => break,
        }
    }
    pos
}

/// Calls `f` with each of up to `n` words before `pos` on the same line, nearest first.
/// A word is a run of ASCII letters, digits, `_`, `&` or `.` (outer dots trimmed); other
/// bytes separate words. Stops early when `f` returns true and reports that.
pub fn any_prev_word(bytes: &[u8], pos: usize, n: usize, mut f: impl FnMut(&[u8]) -> bool) -> bool {
    let floor = pos.saturating_sub(CONTEXT_WINDOW);
    let is_w = |b: u8| WORD_BYTE[usize::from(b)];
    let mut i = pos.min(bytes.len());
    for _ in 0..n {
        while i > floor && !is_w(bytes[i - 1]) {
            if bytes[i - 1] == b'\n' {
                return false;
            }
            i -= 1;
        }
        let end = i;
        while i > floor && is_w(bytes[i - 1]) {
            i -= 1;
        }
        if end == i {
            return false;
        }
        let mut w = &bytes[i..end];
        while let [b'.', rest @ ..] = w {
            w = rest;
        }
        while let [rest @ .., b'.'] = w {
            w = rest;
        }
        if f(w) {
            return true;
        }
    }
    false
}

/// True when one of the `n` words before `pos` is in `set` (ASCII case-insensitive).
pub fn context_has(bytes: &[u8], pos: usize, n: usize, set: &WordSet) -> bool {
    any_prev_word(bytes, pos, n, |w| set.contains(w))
}

/// A set of ASCII words matched ASCII case-insensitively, as an open-addressing hash table
/// built at compile time: a lookup hashes the word once and compares it with one or two
/// entries, instead of comparing it with every word of the list.
pub struct WordSet {
    /// Index + 1 into `words` (0: empty slot).
    slots: [u8; WordSet::SLOTS],
    words: &'static [&'static str],
    /// Bit `n` (n < 64): some word has `n` bytes; bit 63 also stands for longer words.
    lens: u64,
}

impl WordSet {
    const SLOTS: usize = 256;

    pub const fn new(words: &'static [&'static str]) -> WordSet {
        assert!(words.len() < WordSet::SLOTS / 2, "word list too long for the table");
        let mut slots = [0u8; WordSet::SLOTS];
        let mut lens = 0u64;
        let mut k = 0;
        while k < words.len() {
            lens |= 1 << Self::len_bit(words[k].len());
            let mut i = Self::hash(words[k].as_bytes());
            while slots[i] != 0 {
                i = (i + 1) % WordSet::SLOTS;
            }
            slots[i] = (k + 1) as u8;
            k += 1;
        }
        WordSet { slots, words, lens }
    }

    #[inline]
    const fn len_bit(n: usize) -> usize {
        if n < 63 { n } else { 63 }
    }

    /// FNV-1a over the ASCII-lower-cased bytes, folded to a slot index.
    #[inline]
    const fn hash(w: &[u8]) -> usize {
        let mut h: u32 = 0x811c_9dc5;
        let mut i = 0;
        while i < w.len() {
            h = (h ^ w[i].to_ascii_lowercase() as u32).wrapping_mul(0x0100_0193);
            i += 1;
        }
        ((h ^ (h >> 16)) as usize) % WordSet::SLOTS
    }

    /// Whether `w` equals a word of the set, ASCII case-insensitively.
    #[inline]
    pub fn contains(&self, w: &[u8]) -> bool {
        if self.lens & (1 << Self::len_bit(w.len())) == 0 {
            return false;
        }
        let mut i = Self::hash(w);
        loop {
            match self.slots[i] {
                0 => return false,
                k if self.words[usize::from(k) - 1].as_bytes().eq_ignore_ascii_case(w) => return true,
                _ => i = (i + 1) % WordSet::SLOTS,
            }
        }
    }
}

/// Trims the punctuation that prose and markup put after an indicator. Closing brackets
/// are trimmed only when unbalanced inside the span. Linear in the span length.
pub fn trim_trailing(text: &str, start: usize, mut end: usize) -> usize {
    let span = &text.as_bytes()[start..end];
    // Bracket balances (positive: more closers than openers), counted in one pass and only
    // when the span ends with a closer.
    let (mut paren, mut square, mut curly) = (0isize, 0isize, 0isize);
    let trimmable = |c: &u8| b".,;:!?*_~'\">=)]}".contains(c);
    let tail = span.iter().rev().take_while(|c| trimmable(c));
    if tail.clone().any(|c| matches!(c, b')' | b']' | b'}')) {
        for &c in span {
            match c {
                b'(' => paren -= 1,
                b')' => paren += 1,
                b'[' => square -= 1,
                b']' => square += 1,
                b'{' => curly -= 1,
                b'}' => curly += 1,
                _ => {}
            }
        }
    }
    while end > start {
        let b = text.as_bytes()[end - 1];
        let drop = match b {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'*' | b'_' | b'~' | b'\'' | b'"' | b'>' | b'=' => true,
            b')' if paren > 0 => {
                paren -= 1;
                true
            }
            b']' if square > 0 => {
                square -= 1;
                true
            }
            b'}' if curly > 0 => {
                curly -= 1;
                true
            }
            _ => false,
        };
        if !drop {
            break;
        }
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_words_stop_at_line_breaks() {
        let t = b"Version: 4.2\nsee 1.2.3.4";
        assert!(context_has(t, 17, 3, &WordSet::new(&["see"])));
        assert!(!context_has(t, 17, 3, &WordSet::new(&["version"])));
        assert!(context_has(b"| JA3 | abc", 8, 2, &WordSet::new(&["ja3"])));
    }

    #[test]
    fn word_sets_match_like_a_list_scan() {
        let lists: [&'static [&'static str]; 3] = [&["a", "b", "c&c", "version", "Ja3_Hash", "x"], crate::host::FILE_EXTS, &[]];
        let probes = [
            "", "a", "A", "B", "c&c", "C&C", "VERSION", "versions", "ja3_hash", "JA3_HASH", "exe", "EXE", "Exe", "ex", "exee", "é", "x", "dll",
            "tar.gz", "7z", "7Z",
        ];
        for list in lists {
            let set = WordSet::new(list);
            for p in probes.iter().copied().chain(list.iter().copied()) {
                assert_eq!(set.contains(p.as_bytes()), list.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(p.as_bytes())), "{p}");
            }
        }
    }

    #[test]
    fn trims_unbalanced_closers_only() {
        let t = "(http://a.com/x_(y))).";
        assert_eq!(&t[1..trim_trailing(t, 1, t.len())], "http://a.com/x_(y)");
        let t = "(http://a.com/x)!**";
        assert_eq!(&t[1..trim_trailing(t, 1, t.len())], "http://a.com/x");
    }
}
