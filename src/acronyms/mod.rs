//! Acronyms in reading-order text: definitions, uses, long-form mentions, named terms and
//! glossaries.
//!
//! Pure functions over `&str`: no I/O, no async, no LSP types. Every range is a byte range into
//! the string the function was given (the caller maps it back to its buffer).

mod definitions;
mod glossary;
mod mentions;
mod terms;
mod text;
mod uses;

pub use definitions::{definition_hint, find_definitions, Definition, DefinitionHint};
pub use glossary::{Glossary, GlossaryEntry};
pub use mentions::{find_long_form_mentions, LongForm};
pub use terms::{find_named_terms, NamedTerm};
pub use uses::{find_known_uses, find_uses, is_plausible_acronym, AcronymUse};

#[cfg(test)]
mod tests;
