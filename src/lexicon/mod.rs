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

/// OpenTaal spells the Dutch `ij` as the ligature `ĳ` internally and converts input with
/// `ICONV ij ĳ`; spellbook 0.3 panicked on some lookups of words holding the two-byte ligature.
/// We spell it `ij` throughout instead: ligatures in the word list and affix file become `ij`,
/// and the ij conversions are dropped.
fn without_ij_ligature(aff: &str) -> String {
    let mut out = String::with_capacity(aff.len());
    for line in aff.lines() {
        let t = line.trim_start();
        let conversion = t.starts_with("ICONV") || t.starts_with("OCONV");
        if conversion && (line.contains('ĳ') || line.contains('Ĳ')) {
            continue;
        }
        let line = match t.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["ICONV", "3"] => "ICONV 1".to_string(),
            ["OCONV", "2"] => continue,
            _ => line.replace('ĳ', "ij").replace('Ĳ', "IJ"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn dictionary() -> Option<&'static spellbook::Dictionary> {
    DICTIONARY
        .get_or_init(|| {
            let aff = without_ij_ligature(AFF);
            let dic = DIC.replace('ĳ', "ij").replace('Ĳ', "IJ");
            spellbook::Dictionary::new(&aff, &dic).ok()
        })
        .as_ref()
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
    // The Dutch ligature `ĳ` is written as `ij` in the word list.
    let word = word.replace('ĳ', "ij").replace('Ĳ', "IJ");
    // spellbook slices at byte offsets computed on case-mapped text; a character whose case
    // mapping changes its length can make it panic, so such words are not looked up.
    if !word.chars().all(case_mapping_is_stable) {
        return false;
    }
    let Some(dict) = dictionary() else {
        return false;
    };
    // Non-words are slow to reject (hunspell tries every compound split), and the layout
    // decoder asks about the same joins repeatedly: remember recent answers per thread.
    thread_local! {
        static MEMO: std::cell::RefCell<std::collections::HashMap<String, bool>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    if let Some(known) = MEMO.with(|m| m.borrow().get(&word).copied()) {
        return known;
    }
    let answer = std::panic::catch_unwind(|| dict.check(&word)).unwrap_or(false);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() > 50_000 {
            m.clear();
        }
        m.insert(word, answer);
    });
    answer
}

fn case_mapping_is_stable(c: char) -> bool {
    let same_len = |mut mapped: std::iter::Peekable<std::char::ToLowercase>| matches!((mapped.next(), mapped.peek()), (Some(m), None) if m.len_utf8() == c.len_utf8());
    let mut upper = c.to_uppercase();
    let upper_ok =
        matches!((upper.next(), upper.next()), (Some(m), None) if m.len_utf8() == c.len_utf8());
    upper_ok && same_len(c.to_lowercase().peekable())
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
        assert!(is_word("schrĳfrechten"));
        assert!(is_word("schrijfrechten"));
        assert!(is_word("bijvoorbeeld"));
        // Compounds with an accented letter: spellbook 0.3 panicked on these (a byte slice
        // inside `é`), and the caught panic read as "not a word".
        for compound in ["cafétafeltjebrandweer", "toneelscènepoppenspeler", "zeeënorganisatie"]
        {
            assert!(is_word(compound), "{compound}");
        }
        for odd in ["😀", "𝔘", "ß", "İstanbul", "ﬁets", "Ǆ", "ΐ", "-", "'s", "a\u{301}"]
        {
            let _ = is_word(odd);
        }
    }
}
