//! Glossaries of known acronyms: the built-in one (`data/glossary.toml`) and user files in the
//! same format.
//!
//! Format: one TOML table per acronym, keyed by the acronym as written (quote keys with
//! characters other than letters, digits, `-` and `_`: `["I&V"]`):
//!
//! ```toml
//! [AIVD]
//! expansion = "Algemene Inlichtingen- en Veiligheidsdienst"   # required, non-empty
//! description = "Dutch general intelligence and security service (civil)."  # optional
//! language = "nl"                                              # optional, default "nl"
//! ```
//!
//! Unknown fields are errors (to catch typos). Lookups are exact (`Wiv` and `WIV` differ).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

/// One acronym in a glossary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryEntry {
    /// The acronym (the table key).
    pub short: String,
    /// What it stands for, in `language`.
    pub expansion: String,
    /// A short explanation (may be empty).
    pub description: String,
    /// Language of the expansion: `nl`, `en`, `fr`, `de`, `ru`, ...
    pub language: String,
    /// Byte range of the entry's table header (`[AIVD]`) in the TOML source it was parsed
    /// from, for "go to definition". For [`Glossary::builtin`] it points into
    /// `data/glossary.toml`.
    pub source_range: Option<Range<usize>>,
}

/// A set of glossary entries keyed by acronym.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glossary {
    entries: BTreeMap<String, GlossaryEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    expansion: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    language: Option<String>,
}

/// The built-in glossary text, embedded at compile time.
const BUILTIN_TOML: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/glossary.toml"));

impl Glossary {
    /// The built-in glossary (`data/glossary.toml`), parsed once.
    pub fn builtin() -> &'static Glossary {
        static BUILTIN: OnceLock<Glossary> = OnceLock::new();
        BUILTIN.get_or_init(|| match Glossary::parse(BUILTIN_TOML) {
            Ok(g) => g,
            // The file is part of the crate and checked by its tests.
            Err(e) => panic!("data/glossary.toml is invalid: {e}"),
        })
    }

    /// The text of the built-in glossary (to show or to resolve its `source_range`s).
    pub fn builtin_source() -> &'static str {
        BUILTIN_TOML
    }

    /// Parse a glossary in the TOML format above. Errors name the line and column (from the
    /// TOML parser) or the entry at fault.
    pub fn parse(toml_text: &str) -> Result<Glossary, String> {
        let raw: BTreeMap<toml::Spanned<String>, RawEntry> =
            toml::from_str(toml_text).map_err(|e| format!("invalid glossary: {e}"))?;
        let mut entries = BTreeMap::new();
        for (key, entry) in raw {
            let span = key.span();
            let short = key.into_inner();
            let (line, col) = line_col(toml_text, span.start);
            let at = format!("entry [{short}] at line {line}, column {col}");
            if short.trim().is_empty() || short.chars().any(char::is_whitespace) {
                return Err(format!("invalid glossary: {at}: the acronym must be one word"));
            }
            let expansion = entry.expansion.trim().to_string();
            if expansion.is_empty() {
                return Err(format!("invalid glossary: {at}: `expansion` is empty"));
            }
            let language = entry.language.unwrap_or_else(|| "nl".to_string());
            let language = language.trim().to_string();
            if language.is_empty() || !language.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
            {
                return Err(format!(
                    "invalid glossary: {at}: `language` must be a language code like \"nl\" or \"en\""
                ));
            }
            entries.insert(
                short.clone(),
                GlossaryEntry {
                    short,
                    expansion,
                    description: entry.description.trim().to_string(),
                    language,
                    source_range: Some(header_range(toml_text, span)),
                },
            );
        }
        Ok(Glossary { entries })
    }

    /// The entry for `short` (exact match).
    pub fn get(&self, short: &str) -> Option<&GlossaryEntry> {
        self.entries.get(short)
    }

    /// Is `short` in the glossary?
    pub fn contains(&self, short: &str) -> bool {
        self.entries.contains_key(short)
    }

    /// Add `other`'s entries, replacing entries with the same acronym (a user glossary
    /// overrides the built-in one: `builtin().clone().overlay(user)`).
    pub fn overlay(&mut self, other: Glossary) {
        self.entries.extend(other.entries);
    }

    /// All entries, ordered by acronym.
    pub fn entries(&self) -> impl Iterator<Item = &GlossaryEntry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The `[KEY]` header around the key at `span`, or the key itself when it is not a header.
fn header_range(text: &str, span: Range<usize>) -> Range<usize> {
    let before = text[..span.start].trim_end_matches([' ', '\t']);
    let after = &text[span.end..];
    let after_trimmed = after.trim_start_matches([' ', '\t']);
    if before.ends_with('[') && after_trimmed.starts_with(']') {
        let start = before.len() - 1;
        let end = span.end + (after.len() - after_trimmed.len()) + 1;
        start..end
    } else {
        span
    }
}

/// 1-based line and column (in chars) of byte `offset`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
