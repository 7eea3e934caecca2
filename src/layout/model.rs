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

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::words::{key, key_and_classes, words};

/// Keys are already FNV hashes; this hasher only mixes them once more.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

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

/// Add-k smoothing of the association ratio: small counts say little either way.
const ASSOC_SMOOTHING: f64 = 0.5;

type KeyMap<K> = HashMap<K, u32, BuildHasherDefault<KeyHasher>>;

#[derive(Default, Clone)]
pub struct LanguageModel {
    unigrams: KeyMap<u64>,
    /// By [`pair_key`]: one word where a pair of keys would take two.
    bigrams: SplitCounts,
    tokens: u64,
    /// Class bigrams (see [`word_class`]): reliable even on one page, because closed-class
    /// words are frequent.
    class_pairs: KeyMap<(u64, u64)>,
    /// How often each exact line (trimmed) was seen: a workspace may hold copies of a document.
    line_copies: SplitCounts,
    /// How often each class starts and ends a pair: the sums of `class_pairs` by left and by
    /// right class, made on first use (counting them along costs two more table updates per
    /// word, an eighth of the counting).
    class_totals: OnceLock<ClassTotals>,
    pairs: u64,
}

/// How often each key (a word pair, a line) was seen, kept by how often: most pairs and lines
/// of a large text are seen once (83 % of a realistic 10 MB workspace's 477,000 pairs), and a
/// set of their keys takes half the memory of a table with counts; the keys seen more often
/// make a small table that stays in the cache. A key is in one of the two or in neither.
#[derive(Default, Clone, PartialEq)]
struct SplitCounts {
    once: HashSet<u64, BuildHasherDefault<KeyHasher>>,
    more: KeyMap<u64>,
}

impl SplitCounts {
    /// Counts `n` more occurrences of `key`.
    fn add(&mut self, key: u64, n: u32) {
        if n == 0 {
            return;
        }
        if let Some(count) = self.more.get_mut(&key) {
            *count += n;
        } else if n > 1 {
            let before = u32::from(self.once.remove(&key));
            self.more.insert(key, n + before);
        } else if !self.once.insert(key) {
            // Seen once before: a key new to both (the most frequent case) costs two probes.
            self.once.remove(&key);
            self.more.insert(key, 2);
        }
    }

    fn get(&self, key: u64) -> u32 {
        match self.more.get(&key) {
            Some(&count) => count,
            None => u32::from(self.once.contains(&key)),
        }
    }

    fn len(&self) -> usize {
        self.once.len() + self.more.len()
    }

    /// Adds `other`'s counts.
    fn merge(&mut self, other: SplitCounts) {
        for (key, n) in other.more {
            self.add(key, n);
        }
        for key in other.once {
            self.add(key, 1);
        }
    }
}

#[derive(Default, Clone)]
struct ClassTotals {
    left: KeyMap<u64>,
    right: KeyMap<u64>,
}

impl PartialEq for LanguageModel {
    fn eq(&self, other: &Self) -> bool {
        // The class totals follow from the class pairs.
        self.unigrams == other.unigrams
            && self.bigrams == other.bigrams
            && self.tokens == other.tokens
            && self.class_pairs == other.class_pairs
            && self.line_copies == other.line_copies
            && self.pairs == other.pairs
    }
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

    /// The model of one text; a large one is counted in pieces on all cores (counts are per
    /// line, so pieces cut at line breaks add up to the same model).
    pub fn from_text(text: &str) -> Self {
        let pieces =
            crate::parallel::threads().min(text.len() / crate::parallel::PARALLEL_MIN_BYTES);
        Self::from_pieces(text, pieces)
    }

    /// The model of `text`, counted in up to `pieces` pieces cut at line breaks.
    fn from_pieces(text: &str, pieces: usize) -> Self {
        if pieces <= 1 {
            let mut model = Self::new();
            model.add_text(text);
            return model;
        }
        let mut cuts = vec![0];
        for i in 1..pieces {
            let from = (text.len() * i / pieces).max(cuts[cuts.len() - 1]);
            let at =
                memchr::memchr(b'\n', &text.as_bytes()[from..]).map_or(text.len(), |n| from + n);
            cuts.push(at);
        }
        cuts.push(text.len());
        let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
        let models = crate::parallel::map(&ranges, |&(start, end)| {
            let mut model = Self::new();
            model.add_text(text.get(start..end).unwrap_or(""));
            model
        });
        models.into_iter().reduce(LanguageModel::merged).unwrap_or_default()
    }

    /// Counts the words of `text` and the bigrams inside each of its lines.
    pub fn add_text(&mut self, text: &str) {
        self.class_totals = OnceLock::new();
        for line in lines_between(text, b'\n', b'\r', b'\x0c') {
            if !line.trim().is_empty() {
                self.line_copies.add(line_key(line), 1);
            }
            let mut previous: Option<(u64, u64)> = None;
            for word in words(line) {
                let Some(token) = line.get(word.start..word.end) else {
                    continue;
                };
                let (k, (left_class, right_class)) = key_and_classes(token);
                *self.unigrams.entry(k).or_insert(0) += 1;
                self.tokens += 1;
                if let Some((p, p_class)) = previous {
                    self.bigrams.add(pair_key(p, k), 1);
                    *self.class_pairs.entry((p_class, right_class)).or_insert(0) += 1;
                    self.pairs += 1;
                }
                previous = Some((k, left_class));
            }
        }
    }

    /// The counts of both models (as if one had read the other's texts too).
    pub fn merged(self, other: LanguageModel) -> LanguageModel {
        let (mut big, small) =
            if self.unigrams.len() >= other.unigrams.len() { (self, other) } else { (other, self) };
        fn add<K: std::hash::Hash + Eq>(into: &mut KeyMap<K>, from: KeyMap<K>) {
            for (k, n) in from {
                *into.entry(k).or_insert(0) += n;
            }
        }
        add(&mut big.unigrams, small.unigrams);
        big.bigrams.merge(small.bigrams);
        add(&mut big.class_pairs, small.class_pairs);
        big.line_copies.merge(small.line_copies);
        big.class_totals = OnceLock::new();
        big.tokens += small.tokens;
        big.pairs += small.pairs;
        big
    }

    /// How many times the word (case-insensitive, punctuation stripped) was seen.
    pub fn count(&self, word: &str) -> u32 {
        self.unigrams.get(&key(word)).copied().unwrap_or(0)
    }

    pub fn pair_count(&self, first: &str, second: &str) -> u32 {
        self.bigrams.get(pair_key(key(first), key(second)))
    }

    /// How many times the model saw this exact line (ignoring surrounding whitespace).
    pub fn line_copies(&self, line: &str) -> u32 {
        self.line_copies.get(line_key(line))
    }

    /// [`LanguageModel::line_copies`], but 1 for a line seen once or never: the copies of a
    /// line of a text the model read, the line itself among them. Asks only the table of
    /// repeated lines, which stays in the cache where the set of all a workspace's lines does
    /// not (the decoder asks about every line of every page).
    pub(crate) fn line_copies_at_least_one(&self, line: &str) -> u32 {
        self.line_copies.more.get(&line_key(line)).copied().unwrap_or(1)
    }

    pub fn tokens(&self) -> u64 {
        self.tokens
    }

    /// Changes whenever counts are added: part of a page-cache key (a page's layout depends on
    /// the model it was decoded with).
    pub fn fingerprint(&self) -> u64 {
        let mut h = self.tokens.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for n in [self.unigrams.len(), self.bigrams.len(), self.class_pairs.len()] {
            h = (h ^ n as u64).wrapping_mul(0x0100_0000_01b3);
        }
        h
    }

    /// Smoothed pointwise mutual information of `second` following `first`, in nats, clipped to
    /// [-2, 4]. Positive: they follow each other more often than chance. With
    /// `leave_one_out`, one occurrence of the pair and of each word is discounted first.
    pub fn association(&self, first: &str, second: &str, leave_one_out: bool) -> f32 {
        self.association_keys(key(first), key(second), u32::from(leave_one_out))
    }

    /// Class-bigram association of a left word class and a right word class (see
    /// [`word_class`]), in nats, clipped to [-2, 2].
    pub(crate) fn class_association(&self, left: u64, right: u64, discount: u32) -> f32 {
        if self.pairs < 20 {
            return 0.0;
        }
        let get = |m: &KeyMap<u64>, k: u64| {
            m.get(&k).copied().unwrap_or(0).saturating_sub(discount) as f64
        };
        let pair =
            self.class_pairs.get(&(left, right)).copied().unwrap_or(0).saturating_sub(discount)
                as f64;
        let totals = self.class_totals();
        let expected = get(&totals.left, left) * get(&totals.right, right) / self.pairs as f64;
        (((pair + 0.5) / (expected + 0.5)).ln()).clamp(-2.0, 2.0) as f32
    }

    fn class_totals(&self) -> &ClassTotals {
        self.class_totals.get_or_init(|| {
            let mut totals = ClassTotals::default();
            for (&(left, right), &n) in &self.class_pairs {
                *totals.left.entry(left).or_insert(0) += n;
                *totals.right.entry(right).or_insert(0) += n;
            }
            totals
        })
    }

    /// `discount`: occurrences to leave out first (the questioned pair's own, and its copies).
    pub(crate) fn association_keys(&self, first: u64, second: u64, discount: u32) -> f32 {
        self.association_counted(self.counted(first), self.counted(second), discount)
    }

    /// A word's key with its count, for [`LanguageModel::association_counted`].
    pub(crate) fn counted(&self, key: u64) -> CountedWord {
        CountedWord { key, count: self.unigrams.get(&key).copied().unwrap_or(0) }
    }

    /// [`LanguageModel::association_keys`] of words whose counts were looked up before: the
    /// decoder asks about each word in several pairs, and with the counts at hand a pair costs
    /// one table lookup instead of three.
    pub(crate) fn association_counted(
        &self,
        first: CountedWord,
        second: CountedWord,
        discount: u32,
    ) -> f32 {
        if self.tokens < 2 {
            return 0.0;
        }
        let pair = self.bigrams.get(pair_key(first.key, second.key));
        let pair = pair.saturating_sub(discount) as f64;
        let a = first.count.saturating_sub(discount) as f64;
        let b = second.count.saturating_sub(discount) as f64;
        let n = self.tokens as f64;
        // Add-k smoothing: an unseen pair of rare words scores about 0, an unseen pair of two
        // frequent words scores negative, a repeated pair scores positive.
        let expected = a * b / n;
        let score = ((pair + ASSOC_SMOOTHING) / (expected + ASSOC_SMOOTHING)).ln();
        score.clamp(-2.0, 4.0) as f32
    }
}

/// The bigram table's key of `first` followed by `second`. Word keys are 64-bit hashes; so is
/// this (order matters: `pair_key(a, b) != pair_key(b, a)`). Two pairs of a workspace share a
/// key with a chance of about n² / 2⁶⁵: one in ten million for a million pairs.
fn pair_key(first: u64, second: u64) -> u64 {
    first.rotate_left(29).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ second
}

/// `text` split at any of three ASCII bytes (as `str::split` with three characters, but
/// searching many bytes at a time: the model reads every line of a workspace).
fn lines_between(text: &str, a: u8, b: u8, c: u8) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr3_iter(a, b, c, text.as_bytes()).chain(std::iter::once(text.len()));
    let mut start = 0;
    ends.map(move |end| {
        // ASCII bytes split UTF-8 only at character boundaries.
        let line = text.get(start..end).unwrap_or("");
        start = end + 1;
        line
    })
}

/// A vocabulary key and how often the model saw the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CountedWord {
    pub key: u64,
    pub count: u32,
}

/// Every line is keyed twice per scan (counted, then looked up): a byte-at-a-time FNV spent
/// 2.5 % of a scan's time here.
fn line_key(line: &str) -> u64 {
    crate::text::hash::hash_text(line.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_text_counted_in_pieces_gives_the_same_model() {
        let line = |n: usize| match n % 4 {
            0 => format!("De dienst werkt {n} dagen per week\r\n"),
            1 => "Oekraïne en de NAVO 😀 samen\n".to_string(),
            2 => "\u{c}Kop van de pagina\r".to_string(),
            _ => "\n".to_string(),
        };
        let text: String = (0..40_000).map(line).collect();
        assert!(text.len() > 4 * crate::parallel::PARALLEL_MIN_BYTES);
        let mut whole = LanguageModel::new();
        whole.add_text(&text);
        // Whatever the machine's cores (`from_text` cuts as many pieces as there are).
        for count in [2, 3, 7] {
            let pieces = LanguageModel::from_pieces(&text, count);
            assert!(pieces == whole, "{count} pieces: {pieces:?} against {whole:?}");
            assert_eq!(pieces.fingerprint(), whole.fingerprint());
        }
        assert!(LanguageModel::from_text(&text) == whole);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]
        #[test]
        fn lines_between_splits_as_str_split_does(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "ab", "\n", "\r", "\u{c}", "\r\n", "é", "😀", " ",
            ]), 0..16),
        ) {
            let text = pieces.concat();
            let expected: Vec<&str> = text.split(['\n', '\r', '\u{c}']).collect();
            let got: Vec<&str> = lines_between(&text, b'\n', b'\r', b'\x0c').collect();
            proptest::prop_assert_eq!(got, expected, "{:?}", text);
        }

        /// Counts kept by how often (seen once / more) count as one table would, also
        /// when two are merged.
        #[test]
        fn split_counts_count_as_one_table(
            first in proptest::collection::vec((0u64..12, 1u32..4), 0..60),
            second in proptest::collection::vec((0u64..12, 1u32..4), 0..60),
        ) {
            let count = |adds: &[(u64, u32)]| {
                let mut pairs = SplitCounts::default();
                let mut table: HashMap<u64, u32> = HashMap::new();
                for &(key, n) in adds {
                    pairs.add(key, n);
                    *table.entry(key).or_insert(0) += n;
                }
                (pairs, table)
            };
            let (mut a, mut table) = count(&first);
            for key in 0..12 {
                proptest::prop_assert_eq!(a.get(key), table.get(&key).copied().unwrap_or(0));
            }
            proptest::prop_assert_eq!(a.len(), table.len());
            let (b, other) = count(&second);
            a.merge(b);
            for (key, n) in other {
                *table.entry(key).or_insert(0) += n;
            }
            for key in 0..12 {
                proptest::prop_assert_eq!(a.get(key), table.get(&key).copied().unwrap_or(0));
                proptest::prop_assert_eq!(a.once.contains(&key), table.get(&key) == Some(&1));
            }
            proptest::prop_assert_eq!(a.len(), table.len());
        }
    }

    #[test]
    fn repeated_lines_are_counted_and_others_are_one() {
        let mut model =
            LanguageModel::from_text("Kop van de pagina\nEen regel\n  Kop van de pagina \n");
        assert_eq!(model.line_copies_at_least_one("Kop van de pagina"), 2);
        assert_eq!(model.line_copies_at_least_one("Een regel"), 1);
        assert_eq!(model.line_copies_at_least_one("Nooit gezien"), 1);
        // Text added later is counted (the table of repeated lines is made again).
        model.add_text("Een regel\n");
        assert_eq!(model.line_copies_at_least_one("Een regel"), 2);
        let other = LanguageModel::from_text("Een regel\n");
        assert_eq!(model.merged(other).line_copies_at_least_one("Een regel"), 3);
    }

    #[test]
    fn class_totals_are_the_pairs_counted_by_class() {
        let text = "De dienst werkt. Het rapport (MIVD) volgt, in 2023;\n\"Oekraïne\" en de NAVO\n";
        let model = LanguageModel::from_text(&text.repeat(3));
        // Counted along, as `add_text` used to: each in-line pair adds one to the left word's
        // left class and one to the right word's right class.
        let (mut left, mut right) = (KeyMap::<u64>::default(), KeyMap::<u64>::default());
        for line in text.repeat(3).lines() {
            let classes: Vec<(u64, u64)> =
                words(line).iter().map(|w| key_and_classes(&line[w.start..w.end]).1).collect();
            for pair in classes.windows(2) {
                *left.entry(pair[0].0).or_insert(0) += 1;
                *right.entry(pair[1].1).or_insert(0) += 1;
            }
        }
        let totals = model.class_totals();
        assert!(totals.left == left && totals.right == right);
        assert!(left.len() > 3 && right.len() > 3);
    }

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
