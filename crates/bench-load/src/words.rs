//! Deterministic randomness (SplitMix64) and synthetic chat text: a vocabulary of 2,000
//! pronounceable words, so every search term matches a predictable share of the posts.

/// SplitMix64: small, fast and good enough for load generation (not for secrets).
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Exponentially distributed with the given mean (think times between user actions).
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

const SYLLABLES: [&str; 40] = [
    "ba", "be", "bi", "bo", "da", "de", "di", "do", "fa", "fe", "ka", "ke", "ki", "ko", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne",
    "ni", "no", "ra", "re", "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "va", "vo",
];

/// Words in the vocabulary.
pub const VOCABULARY: usize = 2000;

/// Word `i` of the vocabulary (two syllables for the first 1,600, three after), all distinct.
pub fn word(i: usize) -> String {
    let i = i % VOCABULARY;
    let n = SYLLABLES.len();
    if i < n * n {
        format!("{}{}", SYLLABLES[i / n], SYLLABLES[i % n])
    } else {
        let j = i - n * n;
        format!("{}{}{}", SYLLABLES[j / n % n], SYLLABLES[j % n], SYLLABLES[(j * 7) % n])
    }
}

/// A chat message of 6 to 14 vocabulary words.
pub fn message(rng: &mut Rng) -> String {
    let len = 6 + rng.below(9);
    let mut out = String::with_capacity(len * 6);
    for k in 0..len {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(&word(rng.below(VOCABULARY)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_words_are_distinct() {
        let all: std::collections::HashSet<String> = (0..VOCABULARY).map(word).collect();
        assert_eq!(all.len(), VOCABULARY);
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            let x = a.below(13);
            assert_eq!(x, b.below(13));
            assert!(x < 13);
            let u = a.unit();
            b.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert!(message(&mut a).split(' ').count() >= 6);
    }
}
