//! Cross-document questions answered from the index: what is the acronym or named term at an
//! offset, where is it defined, where is it used. Pure: no I/O, no LSP types.

use std::borrow::Cow;
use std::ops::Range;

use super::index::{DefinitionRef, IndexedDoc, WorkspaceIndex};
use crate::acronyms::{self, GlossaryEntry, LongForm};
use crate::analysis::Mention;
use crate::layout::Paragraph;

/// A place in some workspace document.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub doc: &'a IndexedDoc,
    pub range: Range<usize>,
}

/// What the cursor is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An acronym's short form, written at `range`.
    Acronym { short: String, range: Range<usize> },
    /// A long form written out (`Joint SIGINT Cyber Unit`), standing for `short`.
    LongForm { short: String, long: String, range: Range<usize> },
    /// A multiword proper name, by its normalised key.
    Term { key: String, range: Range<usize> },
}

impl Subject {
    pub fn range(&self) -> Range<usize> {
        match self {
            Subject::Acronym { range, .. }
            | Subject::LongForm { range, .. }
            | Subject::Term { range, .. } => range.clone(),
        }
    }
}

fn covers(range: &Range<usize>, offset: usize) -> bool {
    range.start <= offset && offset <= range.end
}

/// The token at `offset` when it is a short form the workspace or a glossary knows
/// (catches mixed-case forms like `Wiv` used in a document that does not define them).
fn known_word_at(
    index: &WorkspaceIndex,
    text: &str,
    offset: usize,
) -> Option<(String, Range<usize>)> {
    let is_part = |c: char| c.is_alphanumeric() || c == '&';
    let offset = crate::text::lines::floor_char_boundary(text, offset.min(text.len()));
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_part(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_part(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    let word = text.get(start..end)?;
    (!word.is_empty() && index.is_defined(word)).then(|| (word.to_string(), start..end))
}

/// The paragraph (reading-order stream) holding buffer `offset`, and the stream offset.
pub fn paragraph_at(doc: &IndexedDoc, offset: usize) -> Option<(Cow<'_, Paragraph>, usize)> {
    doc.analysis.layout.paragraphs.iter().find_map(|p| {
        if !p.source_span().contains(&offset) {
            return None;
        }
        let stream = p
            .pieces()
            .find(|piece| {
                !piece.source.is_empty()
                    && piece.source.start <= offset
                    && offset < piece.source.end
            })
            .map(|piece| piece.stream.start + (offset - piece.source.start))?;
        Some((p, stream))
    })
}

/// Every long form the workspace knows, with its short form.
fn known_long_forms(index: &WorkspaceIndex) -> Vec<(String, String)> {
    let mut forms: Vec<(String, String)> = index
        .defined_shorts()
        .flat_map(|short| {
            index
                .distinct_definitions(short, None)
                .into_iter()
                .map(|d| (d.definition.long.to_string(), short.to_string()))
        })
        .collect();
    forms.extend(index.glossary().entries().map(|e| (e.expansion.clone(), e.short.clone())));
    forms.sort();
    forms.dedup();
    forms
}

/// Long forms written in `paragraph` (whose text is `paragraph_text`) without their acronym,
/// as buffer places.
fn long_form_mentions(
    paragraph: &Paragraph,
    paragraph_text: &str,
    long: &LongForm,
) -> Vec<Range<usize>> {
    long.mentions_in(paragraph_text)
        .into_iter()
        .filter_map(|r| {
            let ranges = paragraph.source_ranges(r);
            Some(ranges.first()?.start..ranges.last()?.end)
        })
        .collect()
}

pub fn subject_at(index: &WorkspaceIndex, doc: &IndexedDoc, offset: usize) -> Option<Subject> {
    let facts = doc.analysis.facts();
    if let Some((short, range)) = acronym_at(doc, offset) {
        return Some(Subject::Acronym { short, range });
    }
    if let Some((short, range)) = known_word_at(index, &doc.text, offset) {
        return Some(Subject::Acronym { short, range });
    }
    if let Some((paragraph, _)) = paragraph_at(doc, offset) {
        let paragraph_text = paragraph.text(&doc.text);
        for (long, short) in known_long_forms(index) {
            let form = LongForm::new(&long);
            if let Some(range) = long_form_mentions(&paragraph, &paragraph_text, &form)
                .into_iter()
                .find(|r| covers(r, offset))
            {
                return Some(Subject::LongForm { short, long, range });
            }
        }
    }
    facts
        .terms
        .iter()
        .find(|m| covers(&m.range, offset))
        .map(|m| Subject::Term { key: m.key.to_string(), range: m.range.clone() })
}

/// The acronym the document defines or uses at `offset`, by its own facts alone.
pub fn acronym_at(doc: &IndexedDoc, offset: usize) -> Option<(String, Range<usize>)> {
    let facts = doc.analysis.facts();
    if let Some(def) = facts.definitions.iter().find(|d| covers(&d.short_range, offset)) {
        return Some((def.short.to_string(), def.short_range.clone()));
    }
    let m = facts.uses.iter().find(|m| covers(&m.range, offset))?;
    Some((m.key.to_string(), m.range.clone()))
}

/// What the workspace knows about an acronym.
#[derive(Debug)]
pub struct AcronymInfo<'a> {
    pub short: String,
    /// One definition per distinct long form, the most widely written first.
    pub definitions: Vec<DefinitionRef<'a>>,
    pub glossary: Option<&'a GlossaryEntry>,
    pub uses: usize,
}

pub fn acronym_info<'a>(index: &'a WorkspaceIndex, short: &str) -> AcronymInfo<'a> {
    AcronymInfo {
        short: short.to_string(),
        definitions: index.distinct_definitions(short, None),
        glossary: index.glossary().get(short),
        uses: index.use_count(short),
    }
}

/// Where `subject` is defined: for an acronym, one defining passage per distinct long form
/// (the one in `from` when it has one, else the first in the workspace); for a term, its first
/// mention.
pub fn definition_places<'a>(
    index: &'a WorkspaceIndex,
    subject: &Subject,
    from: &IndexedDoc,
) -> Vec<Place<'a>> {
    match subject {
        Subject::Acronym { short, .. } | Subject::LongForm { short, .. } => index
            .distinct_definitions(short, Some(&from.key))
            .into_iter()
            .map(|d| {
                let def = &d.definition;
                let start = def.long_range.start.min(def.short_range.start);
                let end = def.short_range.end.max(def.long_range.end);
                Place { doc: d.doc, range: start..end }
            })
            .collect(),
        Subject::Term { key, .. } => term_mentions(index, key).into_iter().take(1).collect(),
    }
}

/// Every mention of a named term, in document order.
pub fn term_mentions<'a>(index: &'a WorkspaceIndex, key: &str) -> Vec<Place<'a>> {
    index
        .docs()
        .flat_map(|doc| {
            doc.analysis
                .facts()
                .terms
                .iter()
                .filter(|m| *m.key == *key)
                .map(move |m| Place { doc, range: m.range.clone() })
        })
        .collect()
}

/// Every use of an acronym's short form and of its long forms across the workspace.
/// Definitions' own short forms are included only when `include_declaration` is set.
pub fn acronym_references<'a>(
    index: &'a WorkspaceIndex,
    short: &str,
    include_declaration: bool,
) -> Vec<Place<'a>> {
    let long_texts: Vec<String> = {
        let mut longs: Vec<String> = index
            .distinct_definitions(short, None)
            .iter()
            .map(|d| d.definition.long.to_string())
            .collect();
        longs.extend(index.glossary().get(short).map(|e| e.expansion.clone()));
        longs.sort();
        longs.dedup();
        longs
    };
    let longs: Vec<LongForm> = long_texts.iter().map(|long| LongForm::new(long)).collect();
    let mixed_case = short.chars().any(char::is_lowercase);
    let mut places = Vec::new();
    // One buffer for every paragraph's text (the whole workspace may be read).
    let mut paragraph_text = String::new();
    for doc in index.docs() {
        let facts = doc.analysis.facts();
        let declared: Vec<&Range<usize>> = facts
            .definitions
            .iter()
            .filter(|d| &*d.short == short)
            .map(|d| &d.short_range)
            .collect();
        let mut ranges: Vec<Range<usize>> = facts
            .uses
            .iter()
            .filter(|m| *m.key == *short)
            .map(|m: &Mention| m.range.clone())
            .collect();
        if mixed_case {
            for paragraph in &doc.analysis.layout.paragraphs {
                let known = |token: &str| token == short;
                paragraph.text_into(&doc.text, &mut paragraph_text);
                for use_ in acronyms::find_known_uses(&paragraph_text, &known) {
                    let r = paragraph.source_ranges(use_.range);
                    if let (Some(first), Some(last)) = (r.first(), r.last()) {
                        ranges.push(first.start..last.end);
                    }
                }
            }
        }
        if !longs.is_empty() {
            for paragraph in &doc.analysis.layout.paragraphs {
                paragraph.text_into(&doc.text, &mut paragraph_text);
                for long in &longs {
                    ranges.extend(long_form_mentions(&paragraph, &paragraph_text, long));
                }
            }
        }
        ranges.retain(|r| include_declaration || !declared.contains(&r));
        ranges.sort_by_key(|r| (r.start, r.end));
        ranges.dedup();
        places.extend(ranges.into_iter().map(|range| Place { doc, range }));
    }
    places
}

/// Documents other than `doc` that mention the term `key`.
pub fn other_documents_mentioning<'a>(
    index: &'a WorkspaceIndex,
    doc: &IndexedDoc,
    key: &str,
) -> Vec<&'a IndexedDoc> {
    index
        .docs()
        .filter(|d| d.key != doc.key && d.analysis.facts().terms.iter().any(|m| *m.key == *key))
        .collect()
}

/// The line (1-based) of a byte offset in a document, for messages like `000_x.txt:11`.
pub fn line_number(doc: &IndexedDoc, offset: usize) -> usize {
    crate::text::Lines::line_of(&doc.lines(), offset) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The references of a mixed-case acronym are found in the paragraphs' reading-order text
    /// (also across a line break), and so are its long form's mentions, in every document.
    #[test]
    fn references_find_mixed_case_uses_and_long_forms_in_every_document() {
        let mut index = WorkspaceIndex::new();
        let defining = "De Wet op de inlichtingen- en veiligheidsdiensten (Wiv) regelt het werk.\n\
                        Volgens de Wiv mag de dienst dat.\n";
        let using = "Een andere tekst noemt de Wiv en de Wet op de\ninlichtingen- en veiligheidsdiensten.\n";
        index.insert(IndexedDoc::for_test("a", defining));
        index.insert(IndexedDoc::for_test("b", using));
        let found: Vec<(String, String)> = acronym_references(&index, "Wiv", true)
            .iter()
            .map(|p| (p.doc.name(), p.doc.text[p.range.clone()].replace('\n', " ")))
            .collect();
        for expected in [
            ("a.txt", "Wiv"),
            ("b.txt", "Wiv"),
            ("b.txt", "Wet op de inlichtingen- en veiligheidsdiensten"),
        ] {
            let expected = (expected.0.to_string(), expected.1.to_string());
            assert!(found.contains(&expected), "{expected:?} not in {found:?}");
        }
        // Without the declaration, the definition's own short form is left out.
        let without = acronym_references(&index, "Wiv", false);
        assert_eq!(without.len() + 1, found.len(), "{found:?}");
    }
}
