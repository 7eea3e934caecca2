//! Words hyphenated at a column line end: join them, keep the hyphen, or recognise a Dutch
//! suspended hyphen (`Inlichtingen- en Veiligheidsdienst`, `aan- en andere vormen`).
//!
//! Evidence, strongest first: the shape of the halves (a capital or an abbreviation after the
//! hyphen keeps it: `commissie-Dessens`, `EU-lidstaten`), the document itself (the joined or the
//! hyphenated form written elsewhere, via the [`LanguageModel`]), the Dutch lexicon with
//! compounding, and the Dutch Knuth–Liang hyphenation patterns (a typesetter only breaks a word
//! where the patterns allow it).

use serde::Serialize;

use super::model::LanguageModel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HyphenDecision {
    /// `organisatie-` + `ontwikkeling` → `organisatieontwikkeling`.
    Join,
    /// `operationeel-` + `tactische` → `operationeel-tactische`.
    KeepHyphen,
    /// `Inlichtingen-` + `en` → `Inlichtingen- en` (keep the hyphen and the space).
    Suspended,
}

/// Conjunctions after which a trailing hyphen is a suspended compound (`aan- en afvoer`).
pub fn is_suspension_conjunction(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphabetic()).to_lowercase();
    matches!(w.as_str(), "en" | "of" | "tot" | "als" | "maar" | "noch" | "dan" | "and" | "or")
}

/// [`is_suspension_conjunction`] by vocabulary key (see `words::key`).
pub fn is_suspension_conjunction_key(word_key: u64) -> bool {
    use std::sync::OnceLock;
    static SET: OnceLock<super::words::KeySet> = OnceLock::new();
    SET.get_or_init(|| {
        super::words::key_set(&["en", "of", "tot", "als", "maar", "noch", "dan", "and", "or"])
    })
    .contains(&word_key)
}

/// The letters of `token` before its final hyphen, without leading brackets or quotes.
fn first_half(token: &str) -> &str {
    token.strip_suffix('-').unwrap_or(token).trim_start_matches(|c: char| !c.is_alphanumeric())
}

/// The word part of the token after the break, without trailing punctuation.
fn second_half(token: &str) -> &str {
    token.trim_end_matches(|c: char| !c.is_alphanumeric())
}

/// Would the Dutch hyphenation patterns allow breaking `joined` after `prefix_chars` characters?
pub fn patterns_allow_break(joined: &str, prefix_chars: usize) -> bool {
    if joined.chars().count() > 60 || !joined.chars().all(char::is_alphabetic) {
        return false;
    }
    let lower = joined.to_lowercase();
    let mut position = 0;
    for syllable in hypher::hyphenate(&lower, hypher::Lang::Dutch) {
        position += syllable.chars().count();
        if position == prefix_chars {
            return true;
        }
    }
    false
}

/// Decides how `first` (a token ending in `-` at a column line end) and `second` (the first token
/// of the next line in the same column) belong together.
pub fn decide(first: &str, second: &str, model: &LanguageModel) -> HyphenDecision {
    if is_suspension_conjunction(second) {
        return HyphenDecision::Suspended;
    }
    let head = first_half(first);
    let tail = second_half(second);
    let Some(tail_first) = tail.chars().next() else {
        return HyphenDecision::KeepHyphen;
    };
    if head.is_empty() || tail_first.is_uppercase() || tail_first.is_ascii_digit() {
        return HyphenDecision::KeepHyphen;
    }
    // The part right before the hyphen: `EU` in `EU-`, `strategische` in `militair-strategische-`.
    let last_part = head.rsplit('-').next().unwrap_or(head);
    let is_abbreviation = last_part.chars().any(|c| c.is_ascii_digit())
        || (last_part.chars().count() <= 5
            && last_part.chars().filter(|c| c.is_alphabetic()).count() >= 1
            && last_part.chars().all(|c| !c.is_lowercase()));
    if is_abbreviation {
        return HyphenDecision::KeepHyphen;
    }
    let joined = format!("{head}{tail}");
    let hyphenated = format!("{head}-{tail}");
    // The document (or workspace) itself: which form is written elsewhere?
    let joined_count = model.count(&joined);
    let hyphenated_count = model.count(&hyphenated);
    if joined_count > hyphenated_count {
        return HyphenDecision::Join;
    }
    if hyphenated_count > joined_count {
        return HyphenDecision::KeepHyphen;
    }
    if head.contains('-') {
        // `Noord-Atlantische-` style chains keep their hyphens.
        return HyphenDecision::KeepHyphen;
    }
    // A name before the hyphen keeps it (`Kerberos-wachtwoord`, `Debian-pakketten`), unless
    // the head is an ordinary word that merely starts a sentence or heading (`Samen-werking`).
    if last_part.chars().next().is_some_and(char::is_uppercase)
        && !crate::lexicon::is_word(&last_part.to_lowercase())
    {
        return HyphenDecision::KeepHyphen;
    }
    if crate::lexicon::is_word(&joined) {
        return HyphenDecision::Join;
    }
    if crate::lexicon::is_word(head) && crate::lexicon::is_word(tail) {
        // Two words whose join is no word: a real hyphenated compound (`operationeel-tactische`).
        return HyphenDecision::KeepHyphen;
    }
    let head_chars = head.chars().count();
    if patterns_allow_break(&joined, head_chars) {
        HyphenDecision::Join
    } else if crate::lexicon::is_word(&hyphenated) {
        HyphenDecision::KeepHyphen
    } else {
        // Unknown words: a typesetting break is far more common than a real hyphen at a line end.
        HyphenDecision::Join
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decides_seed_cases() {
        let model = LanguageModel::new();
        assert_eq!(decide("organisatie-", "ontwikkeling", &model), HyphenDecision::Join);
        assert_eq!(decide("operationeel-", "tactische", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("EU-", "lidstaten", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("Inlichtingen-", "en", &model), HyphenDecision::Suspended);
        assert_eq!(decide("aan-", "en", &model), HyphenDecision::Suspended);
        assert_eq!(decide("commissie-", "Dessens", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("samen-", "werking", &model), HyphenDecision::Join);
        assert_eq!(decide("-", "", &model), HyphenDecision::KeepHyphen);
        // No letters before the hyphen: nothing to join.
        assert_eq!(decide("😀-", "𝔘", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("zee-", "egel", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("Kerberos-", "wachtwoord", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("Samen-", "werking", &model), HyphenDecision::Join);
    }

    #[test]
    fn document_evidence_wins() {
        let model = LanguageModel::from_text("de zee-egel en de zee-egel");
        assert_eq!(decide("zee-", "egel", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("Kerberos-", "wachtwoord", &model), HyphenDecision::KeepHyphen);
        assert_eq!(decide("Samen-", "werking", &model), HyphenDecision::Join);
    }
}
