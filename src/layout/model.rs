//! The language signal: word unigram and bigram counts learnt from the documents themselves.
//!
//! Interleaved columns scramble the order of lines, but the words *inside* one column line are in
//! reading order, so in-line bigrams are mostly real. The decoder asks two questions:
//! "do these two words usually follow each other?" (a claimed continuation across lines) and
//! "is this in-line pair a real bigram or a seam between columns?" (leave-one-out, because the
//! pair being questioned was itself counted when the model read the document).
//!
//! Build one model over a whole workspace with [`LanguageModel::add_text`] and pass it to
//! `analyze`; the model is expected to include the analysed document.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::words::{key, words};

/// Keys are already FNV hashes; this hasher only mixes them once more.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(29) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyMap<K> = HashMap<K, u32, BuildHasherDefault<KeyHasher>>;

#[derive(Default, Clone)]
pub struct LanguageModel {
    unigrams: KeyMap<u64>,
    bigrams: KeyMap<(u64, u64)>,
    tokens: u64,
}

impl std::fmt::Debug for LanguageModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LanguageModel")
            .field("tokens", &self.tokens)
            .field("types", &self.unigrams.len())
            .field("bigrams", &self.bigrams.len())
            .finish()
    }
}

impl LanguageModel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_text(text: &str) -> Self {
        let mut model = Self::new();
        model.add_text(text);
        model
    }

    /// Counts the words of `text` and the bigrams inside each of its lines.
    pub fn add_text(&mut self, text: &str) {
        for line in text.split(['\n', '\r', '\u{c}']) {
            let mut previous: Option<u64> = None;
            for word in words(line) {
                let Some(token) = line.get(word.start..word.end) else {
                    continue;
                };
                let k = key(token);
                *self.unigrams.entry(k).or_insert(0) += 1;
                self.tokens += 1;
                if let Some(p) = previous {
                    *self.bigrams.entry((p, k)).or_insert(0) += 1;
                }
                previous = Some(k);
            }
        }
    }

    /// How many times the word (case-insensitive, punctuation stripped) was seen.
    pub fn count(&self, word: &str) -> u32 {
        self.unigrams.get(&key(word)).copied().unwrap_or(0)
    }

    pub fn pair_count(&self, first: &str, second: &str) -> u32 {
        self.bigrams.get(&(key(first), key(second))).copied().unwrap_or(0)
    }

    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Smoothed pointwise mutual information of `second` following `first`, in nats, clipped to
    /// [-2, 4]. Positive: they follow each other more often than chance. With
    /// `leave_one_out`, one occurrence of the pair and of each word is discounted first.
    pub fn association(&self, first: &str, second: &str, leave_one_out: bool) -> f32 {
        self.association_keys(key(first), key(second), leave_one_out)
    }

    pub(crate) fn association_keys(&self, first: u64, second: u64, leave_one_out: bool) -> f32 {
        if self.tokens < 2 {
            return 0.0;
        }
        let discount = u32::from(leave_one_out);
        let pair = self.bigrams.get(&(first, second)).copied().unwrap_or(0).saturating_sub(discount)
            as f64;
        let a = self.unigrams.get(&first).copied().unwrap_or(0).saturating_sub(discount) as f64;
        let b = self.unigrams.get(&second).copied().unwrap_or(0).saturating_sub(discount) as f64;
        let n = self.tokens as f64;
        // Add-k smoothing: an unseen pair of rare words scores about 0, an unseen pair of two
        // frequent words scores negative, a repeated pair scores positive.
        let expected = a * b / n;
        let score = ((pair + 0.2) / (expected + 0.2)).ln();
        score.clamp(-2.0, 4.0) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_pairs_associate() {
        let mut text = String::new();
        for _ in 0..20 {
            text.push_str("de dienst werkt van de ochtend tot de avond\n");
        }
        text.push_str("zeldzaam woord\n");
        let model = LanguageModel::from_text(&text);
        assert!(model.association("van", "de", false) > 1.0);
        assert!(model.association("de", "de", false) < 0.0);
        assert!(model.association("zeldzaam", "woord", true).abs() < 0.5);
        assert_eq!(model.count("De"), 60);
    }
}
