//! Generated benchmark inputs: two-column Dutch-like text built by repeating and varying the
//! three seed pages in `seeds/`, pages joined by form feeds.
//!
//! The seed pages alone have a vocabulary of under a thousand words, however many pages are
//! made of them; a real 10 MB corpus has some 80,000 word types and half a million word pairs,
//! and the language model's tables, memory and cache misses grow with those.
//! [`Seeds::with_lexicon_vocabulary`] gives the pages a realistic vocabulary: every lower-case
//! content word is replaced by a Dutch word of the same length drawn from the shipped word list
//! with Zipf's law (rank r drawn with weight 1/r), so the layout is kept and word frequencies
//! fall off as in real text.
//!
//! Shared by `benches/core.rs` and `examples/lsp_bench.rs` (each includes this file with
//! `#[path]`); deterministic, so every run measures the same text.
#![allow(dead_code)] // each user takes a different part

use std::path::Path;

/// A small deterministic generator (SplitMix64), so that no `rand` dependency is needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Dutch words with diacritics, the kind that PDF extraction garbles.
const ACCENTED: &[&str] = &[
    "Oekraïne",
    "coördinatie",
    "financiële",
    "ideeën",
    "geïnformeerd",
    "België",
    "efficiënt",
    "privé",
    "één",
    "geëvalueerd",
    "Curaçao",
    "reünie",
    "materiële",
    "beïnvloeding",
    "café",
];

/// Code pages that UTF-8 is misread with (`encoding_rs` names).
const MISREADS: &[&str] = &["windows-1252", "macintosh", "windows-1250", "iso-8859-2", "ibm866"];

/// The seed pages and a vocabulary drawn from them.
#[derive(Debug, Clone)]
pub struct Seeds {
    pub pages: Vec<String>,
    /// Lower-case ASCII words of four letters or more, grouped by length.
    by_len: Vec<Vec<String>>,
    /// With [`Seeds::with_lexicon_vocabulary`]: the word list's words by length in characters,
    /// in a fixed shuffled order (rank), and the cumulative Zipf weights of each group.
    lexicon: Option<ZipfWords>,
}

#[derive(Debug, Clone, Default)]
struct ZipfWords {
    by_chars: Vec<Vec<String>>,
    cumulative: Vec<Vec<f64>>,
}

impl ZipfWords {
    /// Reads `data/hunspell-nl/nl.dic` (stems without their affix flags): lower-case words of
    /// letters only, without the `ĳ` ligature (written `ij` in documents, which changes the length).
    fn load(manifest_dir: &Path) -> ZipfWords {
        let path = manifest_dir.join("data/hunspell-nl/nl.dic");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let mut words: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|line| line.split('/').next().unwrap_or("").trim())
            .filter(|w| {
                !w.is_empty()
                    && w.chars().all(|c| c.is_alphabetic() && c.is_lowercase())
                    && !w.contains('ĳ')
            })
            .collect();
        // A fixed shuffle, so that frequent ranks are not the alphabet's first words.
        let mut rng = Rng::new(0x5eed);
        for i in (1..words.len()).rev() {
            words.swap(i, rng.below(i + 1));
        }
        let mut zipf = ZipfWords::default();
        for word in words {
            let n = word.chars().count();
            if zipf.by_chars.len() <= n {
                zipf.by_chars.resize(n + 1, Vec::new());
                zipf.cumulative.resize(n + 1, Vec::new());
            }
            let total = zipf.cumulative[n].last().copied().unwrap_or(0.0);
            let rank = zipf.by_chars[n].len() + 1;
            zipf.by_chars[n].push(word.to_string());
            zipf.cumulative[n].push(total + 1.0 / rank as f64);
        }
        zipf
    }

    /// A word of `chars` characters drawn by Zipf's law, if the list has words that long.
    fn draw(&self, chars: usize, rng: &mut Rng) -> Option<&str> {
        let cumulative = self.cumulative.get(chars).filter(|c| !c.is_empty())?;
        let total = cumulative[cumulative.len() - 1];
        let x = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = cumulative.partition_point(|&c| c < x).min(cumulative.len() - 1);
        Some(&self.by_chars[chars][i])
    }
}

impl Seeds {
    /// Read `seeds/*.txt` of the crate at `manifest_dir`.
    pub fn load(manifest_dir: &Path) -> Seeds {
        let dir = manifest_dir.join("seeds");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        paths.sort();
        let pages: Vec<String> = paths
            .iter()
            .map(|p| {
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
            })
            .collect();
        assert!(!pages.is_empty(), "no seed pages in {}", dir.display());
        let mut by_len: Vec<Vec<String>> = vec![Vec::new(); 32];
        for page in &pages {
            for word in page.split(|c: char| !c.is_alphanumeric()) {
                if word.len() >= 4
                    && word.len() < 32
                    && word.bytes().all(|b| b.is_ascii_lowercase())
                    && !by_len[word.len()].iter().any(|w| w == word)
                {
                    by_len[word.len()].push(word.to_string());
                }
            }
        }
        Seeds { pages, by_len, lexicon: None }
    }

    /// The same pages with a realistic vocabulary (see the module comment); reads the word list
    /// of the crate at `manifest_dir`.
    pub fn with_lexicon_vocabulary(self, manifest_dir: &Path) -> Seeds {
        Seeds { lexicon: Some(ZipfWords::load(manifest_dir)), ..self }
    }

    /// Seed page `k % 3`, varied: about one lower-case word in `swap_one_in` is replaced by
    /// another seed word of the same length (so the columns stay aligned) and years change;
    /// with `garble_one_in > 0`, about one line in that many gets a garbled accented word.
    /// With a lexicon vocabulary, every lower-case word but the function words is replaced by
    /// a word drawn from it.
    pub fn page(
        &self,
        k: usize,
        rng: &mut Rng,
        swap_one_in: usize,
        garble_one_in: usize,
    ) -> String {
        let seed = &self.pages[k % self.pages.len()];
        let mut out = String::with_capacity(seed.len() + 64);
        for line in seed.split_inclusive('\n') {
            let mut garble_here = garble_one_in > 0 && rng.one_in(garble_one_in);
            let mut word = String::new();
            let flush = |word: &mut String, out: &mut String, rng: &mut Rng, garble: &mut bool| {
                if word.is_empty() {
                    return;
                }
                let lower = word.len() >= 4 && word.bytes().all(|b| b.is_ascii_lowercase());
                if *garble && lower {
                    *garble = false;
                    out.push_str(&garbled(ACCENTED[rng.below(ACCENTED.len())], rng));
                } else if let Some(drawn) = self
                    .lexicon
                    .as_ref()
                    .filter(|_| lower && !scholion::layout::words::is_function_word(word))
                    .and_then(|zipf| zipf.draw(word.len(), rng))
                {
                    out.push_str(drawn);
                } else if lower && rng.one_in(swap_one_in) {
                    let choices = &self.by_len[word.len()];
                    out.push_str(&choices[rng.below(choices.len())]);
                } else if word.len() == 4 && word.starts_with("20") && word.parse::<u32>().is_ok() {
                    out.push_str(&format!("20{:02}", rng.below(25)));
                } else {
                    out.push_str(word);
                }
                word.clear();
            };
            for c in line.chars() {
                if c.is_alphanumeric() {
                    word.push(c);
                } else {
                    flush(&mut word, &mut out, rng, &mut garble_here);
                    out.push(c);
                }
            }
            flush(&mut word, &mut out, rng, &mut garble_here);
        }
        out
    }

    /// A document of about `bytes` bytes: varied pages joined by form feeds.
    pub fn document(&self, bytes: usize, seed: u64, garble_one_in: usize) -> String {
        let mut rng = Rng::new(seed);
        let mut out = String::with_capacity(bytes + 4096);
        let mut k = rng.below(self.pages.len());
        while out.len() < bytes {
            if !out.is_empty() {
                out.push('\u{c}');
            }
            out.push_str(&self.page(k, &mut rng, 8, garble_one_in));
            k += 1;
        }
        out
    }
}

/// `word` written as UTF-8 and read back with one of the legacy code pages.
pub fn garbled(word: &str, rng: &mut Rng) -> String {
    let name = MISREADS[rng.below(MISREADS.len())];
    let encoding = encoding_rs::Encoding::for_label(name.as_bytes()).expect("known encoding");
    encoding.decode_without_bom_handling(word.as_bytes()).0.into_owned()
}

/// Byte offsets of the whole-word occurrences of `word` in `text`.
pub fn word_offsets(text: &str, word: &str) -> Vec<usize> {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '&');
    text.match_indices(word)
        .filter(|(i, _)| {
            !is_word(text[..*i].chars().next_back())
                && !is_word(text[i + word.len()..].chars().next())
        })
        .map(|(i, _)| i)
        .collect()
}
