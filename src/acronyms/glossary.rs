//! Glossaries: expansions for acronyms that texts use without defining them.
//!
//! A glossary is TOML with one table per short form:
//!
//! ```toml
//! [AIVD]
//! expansion = "Algemene Inlichtingen- en Veiligheidsdienst"
//! description = "The Dutch general intelligence and security service."
//! language = "nl"
//! ```
//!
//! The built-in glossary (`data/glossary.toml`) is compiled into the binary; user glossaries
//! overlay it, later ones winning.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;

const BUILTIN: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/glossary.toml"));

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryEntry {
    pub short: String,
    pub expansion: String,
    pub description: String,
    pub language: String,
    /// Where the entry's table header stands in its glossary file (`None` for the built-in one,
    /// which has no file a user can open).
    pub source_range: Option<Range<usize>>,
    /// Which glossary file the entry comes from (an index into the caller's list), if any.
    pub source: Option<usize>,
}

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
    #[serde(default = "default_language")]
    language: String,
}

fn default_language() -> String {
    "nl".to_string()
}

impl Glossary {
    /// The glossary compiled into the binary, parsed once.
    pub fn builtin() -> &'static Glossary {
        static BUILTIN_GLOSSARY: OnceLock<Glossary> = OnceLock::new();
        BUILTIN_GLOSSARY.get_or_init(|| {
            let mut glossary = Glossary::parse(BUILTIN).unwrap_or_default();
            // The built-in glossary has no file to jump to.
            for entry in glossary.entries.values_mut() {
                entry.source_range = None;
            }
            glossary
        })
    }

    /// Parse a glossary file. Errors name the line and column.
    pub fn parse(toml_text: &str) -> Result<Glossary, String> {
        let raw: BTreeMap<String, RawEntry> =
            toml::from_str(toml_text).map_err(|err| describe_toml_error(toml_text, &err))?;
        let mut entries = BTreeMap::new();
        for (short, entry) in raw {
            let short = short.trim().to_string();
            if short.is_empty() || entry.expansion.trim().is_empty() {
                return Err(format!("entry `{short}` needs a non-empty short form and expansion"));
            }
            entries.insert(
                short.clone(),
                GlossaryEntry {
                    source_range: header_range(toml_text, &short),
                    short,
                    expansion: entry.expansion.trim().to_string(),
                    description: entry.description.trim().to_string(),
                    language: entry.language,
                    source: None,
                },
            );
        }
        Ok(Glossary { entries })
    }

    pub fn get(&self, short: &str) -> Option<&GlossaryEntry> {
        self.entries.get(short)
    }

    pub fn entries(&self) -> impl Iterator<Item = &GlossaryEntry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Add `other`'s entries, replacing ours where both have one; they are marked as coming
    /// from source `source`.
    pub fn overlay(&mut self, other: Glossary, source: usize) {
        for (short, mut entry) in other.entries {
            entry.source = Some(source);
            self.entries.insert(short, entry);
        }
    }
}

/// Byte range of `[SHORT]` (or `["SHORT"]`) in the file, for go-to-definition.
fn header_range(text: &str, short: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(inner) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            let name = inner.trim().trim_matches('"');
            if name == short {
                let start = offset + line.find('[').unwrap_or(0);
                return Some(start..start + trimmed.len());
            }
        }
        offset += line.len();
    }
    None
}

fn describe_toml_error(text: &str, err: &toml::de::Error) -> String {
    let message = err.message().trim().to_string();
    match err.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_glossary_is_large_and_complete() {
        let glossary = Glossary::builtin();
        assert!(glossary.len() >= 50, "{} entries", glossary.len());
        for short in ["AIVD", "NAVO", "EU", "CLSK", "NIMH", "CTIVD", "NCTV"] {
            let entry = glossary.get(short).unwrap_or_else(|| panic!("{short} missing"));
            assert!(!entry.expansion.is_empty() && !entry.description.is_empty());
            assert!(entry.source_range.is_none());
        }
    }

    #[test]
    fn user_glossary_overrides_and_locates_entries() {
        let text = "# mine\n[AIVD]\nexpansion = \"Eigen uitleg\"\n\n[\"I&V\"]\nexpansion = \"Informatie en Veiligheid\"\nlanguage = \"nl\"\n";
        let user = Glossary::parse(text).unwrap();
        assert_eq!(&text[user.get("AIVD").unwrap().source_range.clone().unwrap()], "[AIVD]");
        assert_eq!(&text[user.get("I&V").unwrap().source_range.clone().unwrap()], "[\"I&V\"]");
        let mut merged = Glossary::builtin().clone();
        merged.overlay(user, 0);
        assert_eq!(merged.get("AIVD").unwrap().expansion, "Eigen uitleg");
        assert_eq!(merged.get("AIVD").unwrap().source, Some(0));
        assert!(merged.get("NAVO").is_some());
    }

    #[test]
    fn errors_name_the_line() {
        let err = Glossary::parse("[A]\nexpansion = \"x\"\n[B]\nexpansion = 3\n").unwrap_err();
        assert!(err.starts_with("line 4"), "{err}");
        assert!(Glossary::parse("[A]\nmeaning = \"x\"\n").is_err());
    }
}
