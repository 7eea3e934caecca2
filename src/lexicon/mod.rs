//! The Dutch lexicon: OpenTaal's hunspell-nl word list (BSD / CC-BY 3.0), read by `spellbook`
//! (which implements hunspell's affixes and compounding).
//!
//! The dictionary is embedded in the binary and parsed once, on first use. Parsing the 2.5 MB
//! `.dic` takes a noticeable moment (see `load_time` in the report / `examples/lexicon-load.rs`),
//! so callers that care about latency can call [`warm_up`] on a background thread at startup.

use std::sync::OnceLock;

const AFF: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/hunspell-nl/nl.aff"));
const DIC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/hunspell-nl/nl.dic"));

static DICTIONARY: OnceLock<Option<spellbook::Dictionary>> = OnceLock::new();

fn dictionary() -> Option<&'static spellbook::Dictionary> {
    DICTIONARY.get_or_init(|| spellbook::Dictionary::new(AFF, DIC).ok()).as_ref()
}

/// Parse the dictionary now (it is otherwise parsed on the first lookup).
pub fn warm_up() {
    let _ = dictionary();
}

/// Is `word` a Dutch word (including hunspell compounds such as `organisatieontwikkeling`)?
///
/// Case follows hunspell: a lowercase dictionary word is also accepted capitalised or in capitals.
/// Empty input and input with whitespace is never a word.
pub fn is_word(word: &str) -> bool {
    if word.is_empty() || word.len() > 100 || word.chars().any(char::is_whitespace) {
        return false;
    }
    match dictionary() {
        Some(dict) => dict.check(word),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_words_and_compounds() {
        assert!(is_word("ontwikkeling"));
        assert!(is_word("organisatieontwikkeling"));
        assert!(is_word("samenwerking"));
        assert!(is_word("Samenwerking"));
        assert!(is_word("inlichtingensamenwerking"));
        assert!(!is_word("organisatie-ontwikkelingxq"));
        assert!(!is_word(""));
        assert!(!is_word("twee woorden"));
    }
}
