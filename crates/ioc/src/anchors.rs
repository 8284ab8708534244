//! One pass over the text that finds every byte a scanner can start from, so that the
//! scanners jump from anchor to anchor instead of each walking the whole text (chat is
//! mostly lower-case words and spaces, which no scanner starts from).
//!
//! The pass computes, for each 64-byte block, a bit mask of candidate bytes with a predicate
//! that the compiler vectorises (no `unsafe`, no target-specific code), then sorts each
//! candidate into a per-class bitmap. A scanner iterates the set bits of its class in
//! increasing order, which visits exactly the positions a byte search (`memchr_iter`) for
//! its bytes would visit. Linear: each byte is classified once, each anchor dispatched once.

/// The anchor classes; each byte value belongs to at most one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// `.` (dotted tokens).
    Dot,
    /// `:` (URLs `://`, IPv6, drive letters `C:\`).
    Colon,
    /// `@` (e-mail addresses).
    At,
    /// `/` (Unix paths).
    Slash,
    /// The bytes at which a defang token is recognised: `[`, `(`, `{`, `\`, `x`, `X`, `D`,
    /// and `d` after a space.
    Refang,
    /// The first byte of a short-word anchor: `T` (`T1059`, `TA0001`), `A` (`AS13335`), `H`
    /// (`HKLM`), `M` and `m` before `u` (`Mutex`, `mutant`), `%` (`%APPDATA%\`), and the `-`
    /// of `CVE-`.
    Word,
    /// ASCII digits (every hash and wallet contains one).
    Digit,
}

#[cfg(test)]
const CLASSES: usize = 7;

/// Bitmap words per 64 text bytes: one per class plus one that collects the candidates of
/// no class, so that sorting a candidate needs no branch.
const SLOTS: usize = 8;
const NO_CLASS: u8 = 7;

/// Byte value -> class index (`NO_CLASS`: not an anchor).
static CLASS_OF: [u8; 256] = {
    const fn set(mut t: [u8; 256], bytes: &[u8], c: Class) -> [u8; 256] {
        let mut i = 0;
        while i < bytes.len() {
            t[bytes[i] as usize] = c as u8;
            i += 1;
        }
        t
    }
    let t = set([NO_CLASS; 256], b".", Class::Dot);
    let t = set(t, b":", Class::Colon);
    let t = set(t, b"@", Class::At);
    let t = set(t, b"/", Class::Slash);
    let t = set(t, b"[({\\xXDd", Class::Refang);
    let t = set(t, b"TAHMm%-", Class::Word);
    set(t, b"0123456789", Class::Digit)
};

/// Candidate bytes, a superset of the anchors that is cheap to test on a whole vector: every
/// byte below `a` except the space (digits, punctuation, upper case...), `x`, `{`, `d` after a
/// space and `m` before `u`. `CLASS_OF` then drops the candidates that anchor nothing; in
/// chat they are few (capitals, commas, line ends).
#[inline(always)]
fn candidate(prev: u8, c: u8, next: u8) -> bool {
    (c < b'a' && c != b' ') || c == b'x' || c == b'{' || ((c | 0x20) == b'd' && prev == b' ') || (c == b'm' && next == b'u')
}

/// The candidate mask of the 16 bytes `w[1..17]` (`w[0]` is the byte before, `w[17]` the one
/// after). Written as a byte map then packed eight lanes at a time, which the compiler
/// turns into vector compares.
#[inline(always)]
fn mask16(w: &[u8]) -> u64 {
    let w: &[u8; 18] = w.try_into().expect("18-byte window");
    let mut t = [0u8; 16];
    for (j, v) in t.iter_mut().enumerate() {
        *v = u8::from(candidate(w[j], w[j + 1], w[j + 2]));
    }
    let lo = u64::from_le_bytes(t[..8].try_into().expect("8 lanes"));
    let hi = u64::from_le_bytes(t[8..].try_into().expect("8 lanes"));
    // Each lane is 0 or 1: the multiply gathers lane i into bit 56 + i.
    let gather = |x: u64| x.wrapping_mul(0x0102_0408_1020_4080) >> 56;
    gather(lo) | (gather(hi) << 8)
}

/// The candidate mask of the 64-byte block at `base` of `b`, whose window (one byte on
/// each side) lies inside the text: four windows read in place.
#[inline(always)]
fn inner_block_mask(w: &[u8]) -> u64 {
    mask16(&w[..18]) | mask16(&w[16..34]) << 16 | mask16(&w[32..50]) << 32 | mask16(&w[48..66]) << 48
}

/// The candidate mask of the block of up to 64 bytes at `base` at the start or the end of
/// the text, through a zero-padded copy of its window; bits past the end are 0.
#[inline(never)]
fn edge_block_mask(b: &[u8], base: usize) -> u64 {
    let mut w = [0u8; 66];
    let end = b.len().min(base + 65);
    w[1..1 + end - base].copy_from_slice(&b[base..end]);
    if base > 0 {
        w[0] = b[base - 1];
    }
    let len = (b.len() - base).min(64);
    let mut m = 0;
    for q in 0..len.div_ceil(16) {
        m |= mask16(&w[q * 16..q * 16 + 18]) << (q * 16);
    }
    if len < 64 { m & ((1 << len) - 1) } else { m }
}

/// Texts up to this length are classified from one padded copy.
const SMALL: usize = 128;

/// Inline capacity (words) of [`Anchors`]: texts up to 256 bytes (most chat messages) need
/// no allocation.
const INLINE: usize = 4 * SLOTS;

/// Per-class bitmaps of anchor positions: one row of eight words per 64 bytes of text, so as
/// many bytes as the text itself (inline, without allocation, up to 256 bytes).
pub(crate) struct Anchors {
    /// 64-byte blocks of the text.
    words: usize,
    /// Bit `c`: class `c` has at least one anchor.
    present: u8,
    /// `bits[i * SLOTS + class]`, bit `j`: position `64 * i + j`; in `inline` for short texts.
    inline: [u64; INLINE],
    heap: Vec<u64>,
}

impl Anchors {
    pub fn new(b: &[u8]) -> Self {
        let mut a = Anchors { words: 0, present: 0, inline: [0; INLINE], heap: Vec::new() };
        a.compute(b);
        a
    }

    /// Recomputes the anchors for `b` in place (no copy of the inline bitmaps).
    pub fn fill(&mut self, b: &[u8]) {
        self.inline = [0; INLINE];
        self.heap.clear();
        self.compute(b);
    }

    /// Computes the bitmaps into zeroed storage.
    fn compute(&mut self, b: &[u8]) {
        let words = b.len().div_ceil(64);
        self.words = words;
        if words * SLOTS > INLINE {
            self.heap.resize(words * SLOTS, 0);
        }
        let bits = if self.heap.is_empty() { &mut self.inline[..] } else { &mut self.heap[..] };
        let mut present = 0u8;
        // Texts of up to two blocks (most chat messages): one zero-padded copy serves both.
        let mut small = [0u8; SMALL + 2];
        if b.len() <= SMALL {
            small[1..=b.len()].copy_from_slice(b);
        }
        for i in 0..words {
            let base = i * 64;
            let mut m = if b.len() <= SMALL {
                let len = b.len() - base;
                let m = inner_block_mask(&small[base..base + 66]);
                if len < 64 { m & ((1 << len) - 1) } else { m }
            } else {
                match b.get(base.wrapping_sub(1)..base + 65) {
                    Some(w) if base > 0 => inner_block_mask(w),
                    _ => edge_block_mask(b, base),
                }
            };
            let row: &mut [u64; SLOTS] = (&mut bits[i * SLOTS..i * SLOTS + SLOTS]).try_into().expect("one row");
            while m != 0 {
                let j = m.trailing_zeros() as usize;
                m &= m - 1;
                let c = CLASS_OF[usize::from(b[base + j])];
                row[usize::from(c) % SLOTS] |= 1 << j;
                present |= 1 << c;
            }
        }
        self.present = present;
    }

    /// Whether the text has an anchor of class `c`.
    #[inline]
    pub fn has(&self, c: Class) -> bool {
        self.present & (1 << c as u8) != 0
    }

    /// Positions of class `c`, increasing.
    #[inline]
    pub fn iter(&self, c: Class) -> Positions<'_> {
        self.union(c, c)
    }

    /// Positions of class `a` or `b`, increasing.
    #[inline]
    pub fn union(&self, a: Class, b: Class) -> Positions<'_> {
        let bits = if self.heap.is_empty() { &self.inline[..self.words * SLOTS] } else { &self.heap[..] };
        Positions { rows: bits.chunks_exact(SLOTS), a: a as usize, b: b as usize, base: 0, cur: 0 }
    }
}

/// Iterator over set bits of one or two class bitmaps.
pub(crate) struct Positions<'a> {
    rows: std::slice::ChunksExact<'a, u64>,
    a: usize,
    b: usize,
    /// Position of bit 0 of `cur`, plus 64.
    base: usize,
    cur: u64,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.cur == 0 {
            let row = self.rows.next()?;
            self.cur = row[self.a] | row[self.b];
            self.base += 64;
        }
        let j = self.cur.trailing_zeros() as usize;
        self.cur &= self.cur - 1;
        Some(self.base - 64 + j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference definition: every position whose byte has a class, with the pair
    /// conditions of `d` and `m`.
    fn naive(b: &[u8], c: Class) -> Vec<usize> {
        (0..b.len())
            .filter(|&i| {
                let byte = b[i];
                let cls = CLASS_OF[usize::from(byte)];
                let ok = match byte {
                    b'd' => i > 0 && b[i - 1] == b' ',
                    b'm' => b.get(i + 1) == Some(&b'u'),
                    _ => true,
                };
                cls == c as u8 && ok
            })
            .collect()
    }

    const ALL: [Class; CLASSES] = [Class::Dot, Class::Colon, Class::At, Class::Slash, Class::Refang, Class::Word, Class::Digit];

    #[test]
    fn bitmaps_match_a_byte_by_byte_scan() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for len in (0..300).chain([1000, 4096, 4097]) {
            for _ in 0..4 {
                let b: Vec<u8> = (0..len).map(|_| (rnd() & 0xff) as u8).collect();
                let a = Anchors::new(&b);
                for c in ALL {
                    assert_eq!(a.iter(c).collect::<Vec<_>>(), naive(&b, c), "{c:?} len {len}");
                    assert_eq!(a.has(c), !naive(&b, c).is_empty());
                }
                let mut both: Vec<usize> = naive(&b, Class::Word).into_iter().chain(naive(&b, Class::Colon)).collect();
                both.sort_unstable();
                assert_eq!(a.union(Class::Word, Class::Colon).collect::<Vec<_>>(), both);
            }
        }
        let t = b"a dot b; Mutex mutant mu x. T1 1:2@3/4 [x] d";
        let a = Anchors::new(t);
        assert_eq!(a.iter(Class::Refang).collect::<Vec<_>>(), [2, 13, 25, 39, 40, 43]);
        assert_eq!(a.iter(Class::Word).collect::<Vec<_>>(), [9, 15, 22, 28]);
    }
}
