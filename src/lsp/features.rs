//! Request features over the workspace index: hover, definition, references, symbols and code
//! actions. Each function takes the index, the document asked about and a byte offset, asks
//! the core (`workspace::query`) and converts the answer to LSP types.

use std::str::FromStr;

use tower_lsp_server::ls_types::*;

use super::convert;
use crate::finding::{Edit, Finding, Fix};
use crate::text::{LineIndex, PositionEncoding};
use crate::workspace::query::{self, Place, Subject};
use crate::workspace::{IndexedDoc, WorkspaceIndex};

pub const REFLOW_TITLE: &str = "Reflow page into reading order";

/// The URI under which the client knows a document.
pub fn uri_of(doc: &IndexedDoc) -> Option<Uri> {
    match &doc.path {
        Some(path) => Uri::from_file_path(path),
        None => Uri::from_str(doc.key.as_str()).ok(),
    }
}

fn location(place: &Place, encoding: PositionEncoding) -> Option<Location> {
    let lines = place.doc.lines();
    Some(Location::new(
        uri_of(place.doc)?,
        convert::to_lsp_range(&lines, place.range.clone(), encoding),
    ))
}

/// `000_x.txt:11` with a link to the line.
fn place_link(place: &Place) -> String {
    let line = query::line_number(place.doc, place.range.start);
    let label = format!("{}:{}", place.doc.name(), line);
    match uri_of(place.doc) {
        Some(uri) => format!("[`{label}`]({}#L{line})", uri.as_str()),
        None => format!("`{label}`"),
    }
}

fn quote(sentence: &str) -> String {
    const MAX_CHARS: usize = 300;
    let mut text: String = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > MAX_CHARS {
        text = text.chars().take(MAX_CHARS).collect::<String>() + "…";
    }
    format!("> {text}")
}

fn times(n: usize) -> String {
    match n {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}

fn acronym_markdown(index: &WorkspaceIndex, short: &str) -> Option<String> {
    let info = query::acronym_info(index, short);
    let mut out = Vec::new();
    if info.definitions.is_empty() && info.glossary.is_none() {
        return None;
    }
    // Conflicting text definitions are listed apart, never merged.
    let mut seen_longs: Vec<&str> = Vec::new();
    for def in &info.definitions {
        let long: &str = &def.definition.long;
        let place = Place { doc: def.doc, range: def.definition.short_range.clone() };
        if seen_longs.contains(&long) {
            continue;
        }
        seen_longs.push(long);
        out.push(format!(
            "**{short}**: {long}\n\nDefined in {}:\n\n{}",
            place_link(&place),
            quote(&def.definition.sentence)
        ));
    }
    if let Some(entry) = info.glossary {
        if !seen_longs.iter().any(|l| l.eq_ignore_ascii_case(&entry.expansion)) {
            let mut text = format!("**{short}**: {} (from the glossary)", entry.expansion);
            if !entry.description.is_empty() {
                text.push_str(&format!("\n\n{}", entry.description));
            }
            out.push(text);
        }
    }
    if seen_longs.len() > 1 {
        out.push(format!(
            "⚠ `{short}` has {} different definitions in the workspace.",
            seen_longs.len()
        ));
    }
    out.push(format!("Used {} across the workspace.", times(info.uses)));
    Some(out.join("\n\n---\n\n"))
}

pub fn hover(
    index: &WorkspaceIndex,
    doc: &IndexedDoc,
    offset: usize,
    encoding: PositionEncoding,
) -> Option<Hover> {
    let subject = query::subject_at(index, doc, offset)?;
    let markdown = match &subject {
        Subject::Acronym { short, .. } => acronym_markdown(index, short)?,
        Subject::LongForm { short, long, .. } => {
            let mut text = format!("**{long}** is abbreviated **{short}**.");
            if let Some(details) = acronym_markdown(index, short) {
                text.push_str("\n\n");
                text.push_str(&details);
            }
            text
        }
        Subject::Term { key, range } => {
            let others = query::other_documents_mentioning(index, doc, key);
            let name = doc
                .text
                .get(range.clone())
                .unwrap_or(key)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let mentions = query::term_mentions(index, key).len();
            let first = query::term_mentions(index, key).into_iter().next();
            let mut text = format!("**{name}**: mentioned {} in the workspace", times(mentions));
            if let Some(first) = first {
                text.push_str(&format!("; first in {}", place_link(&first)));
            }
            text.push('.');
            if !others.is_empty() {
                let names: Vec<String> = others.iter().map(|d| format!("`{}`", d.name())).collect();
                text.push_str(&format!("\n\nAlso spoken of in: {}.", names.join(", ")));
            }
            text
        }
    };
    let lines = doc.lines();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(convert::to_lsp_range(&lines, subject.range(), encoding)),
    })
}

pub fn definition(
    index: &WorkspaceIndex,
    doc: &IndexedDoc,
    offset: usize,
    findings_at: impl FnOnce() -> Vec<Finding>,
    encoding: PositionEncoding,
) -> Option<GotoDefinitionResponse> {
    if let Some(subject) = query::subject_at(index, doc, offset) {
        let places = query::definition_places(index, &subject, doc);
        let locations: Vec<Location> =
            places.iter().filter_map(|p| location(p, encoding)).collect();
        if !locations.is_empty() {
            return Some(GotoDefinitionResponse::Array(locations));
        }
        // No text defines it: a user glossary's entry, if it comes from one (the built-in
        // glossary has no file to show).
        let (Subject::Acronym { short, .. } | Subject::LongForm { short, .. }) = &subject else {
            return None;
        };
        let (file, range) = index.glossaries().entry_location(short)?;
        let lines = LineIndex::new(&file.text);
        let uri = Uri::from_file_path(&file.path)?;
        let range = convert::to_lsp_range(&lines, range, encoding);
        return Some(GotoDefinitionResponse::Scalar(Location::new(uri, range)));
    }
    // The last word before a break jumps to where the sentence continues (findings are only
    // computed when no acronym or term is under the cursor).
    let split = findings_at().into_iter().find(|f| f.rule == "split-sentence")?;
    let related = split.related.first()?;
    location(&Place { doc, range: related.range.clone() }, encoding)
        .map(GotoDefinitionResponse::Scalar)
}

pub fn references(
    index: &WorkspaceIndex,
    doc: &IndexedDoc,
    offset: usize,
    include_declaration: bool,
    encoding: PositionEncoding,
) -> Option<Vec<Location>> {
    let places = match query::subject_at(index, doc, offset)? {
        Subject::Acronym { short, .. } | Subject::LongForm { short, .. } => {
            query::acronym_references(index, &short, include_declaration)
        }
        Subject::Term { key, .. } => {
            let mut places = query::term_mentions(index, &key);
            if !include_declaration && !places.is_empty() {
                places.remove(0);
            }
            places
        }
    };
    Some(places.iter().filter_map(|p| location(p, encoding)).collect())
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written
pub fn document_symbols(doc: &IndexedDoc, encoding: PositionEncoding) -> Vec<DocumentSymbol> {
    let lines = doc.lines();
    let symbol = |name: String,
                  detail: Option<String>,
                  kind: SymbolKind,
                  range: std::ops::Range<usize>,
                  select: std::ops::Range<usize>| DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: convert::to_lsp_range(&lines, range, encoding),
        selection_range: convert::to_lsp_range(&lines, select, encoding),
        children: None,
    };
    let facts = doc.analysis.facts();
    let mut symbols: Vec<(usize, DocumentSymbol)> = Vec::new();
    for heading in &facts.headings {
        if heading.text.is_empty() {
            continue;
        }
        symbols.push((
            heading.range.start,
            symbol(
                heading.text.clone(),
                None,
                SymbolKind::NAMESPACE,
                heading.range.clone(),
                heading.range.clone(),
            ),
        ));
    }
    for def in &facts.definitions {
        let span = def.long_range.start.min(def.short_range.start)
            ..def.long_range.end.max(def.short_range.end);
        symbols.push((
            def.short_range.start,
            symbol(
                def.short.to_string(),
                Some(def.long.to_string()),
                SymbolKind::CONSTANT,
                span,
                def.short_range.clone(),
            ),
        ));
    }
    symbols.sort_by_key(|(start, _)| *start);
    symbols.into_iter().map(|(_, s)| s).collect()
}

/// Case-insensitive subsequence match: every character of `query` appears in order.
pub fn fuzzy_matches(query: &str, name: &str) -> bool {
    let mut wanted =
        query.chars().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace()).peekable();
    for c in name.chars().flat_map(char::to_lowercase) {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

#[allow(deprecated)] // `SymbolInformation::deprecated` must still be written
pub fn workspace_symbols(
    index: &WorkspaceIndex,
    query_text: &str,
    encoding: PositionEncoding,
) -> Vec<SymbolInformation> {
    const MAX: usize = 500;
    let mut out = Vec::new();
    for doc in index.docs() {
        let facts = doc.analysis.facts();
        let items = facts
            .definitions
            .iter()
            .map(|d| {
                let (short, long) = (d.short.to_string(), d.long.to_string());
                (short, Some(long), SymbolKind::CONSTANT, d.short_range.clone())
            })
            .chain(
                facts
                    .headings
                    .iter()
                    .map(|h| (h.text.clone(), None, SymbolKind::NAMESPACE, h.range.clone())),
            );
        for (name, container, kind, range) in items {
            let searchable = format!("{name} {}", container.clone().unwrap_or_default());
            if name.is_empty() || !fuzzy_matches(query_text, &searchable) {
                continue;
            }
            let Some(location) = location(&Place { doc, range }, encoding) else { continue };
            out.push(SymbolInformation {
                name,
                kind,
                tags: None,
                deprecated: None,
                location,
                container_name: container,
            });
            if out.len() >= MAX {
                return out;
            }
        }
    }
    out
}

/// `refactor.rewrite` actions at `offset`: reflow the page, expand an acronym.
pub fn rewrite_actions(
    index: &WorkspaceIndex,
    doc: &IndexedDoc,
    uri: &Uri,
    offset: usize,
    encoding: PositionEncoding,
) -> Vec<CodeAction> {
    let lines = doc.lines();
    let mut actions = Vec::new();
    let layout = &doc.analysis.layout;
    if let Some(page) =
        layout.pages.iter().find(|p| p.range.start <= offset && offset <= p.range.end)
    {
        let mut paragraphs =
            crate::layout::reflow::page_paragraph_texts(&doc.text, layout, page.range.clone());
        paragraphs.dedup();
        let mut replacement = paragraphs.join("\n\n");
        let page_text = doc.text.get(page.range.clone()).unwrap_or("");
        if page_text.ends_with('\n') || page_text.ends_with('\r') {
            replacement.push('\n');
        }
        if !paragraphs.is_empty() && replacement != page_text {
            let fix = Fix {
                title: REFLOW_TITLE.into(),
                edits: vec![Edit { range: page.range.clone(), new_text: replacement }],
                safe: false,
                preferred: false,
            };
            actions.push(CodeAction {
                title: REFLOW_TITLE.into(),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                edit: Some(convert::workspace_edit(&lines, uri, &fix, encoding)),
                ..CodeAction::default()
            });
        }
    }
    if let Some(Subject::Acronym { short, range }) = query::subject_at(index, doc, offset) {
        let info = query::acronym_info(index, &short);
        let long = info
            .definitions
            .first()
            .map(|d| d.definition.long.to_string())
            .or(info.glossary.map(|e| e.expansion.clone()));
        let is_definition = doc.analysis.definitions().iter().any(|d| d.short_range == range);
        if let (Some(long), false) = (long, is_definition) {
            let fix = Fix {
                title: format!("Expand acronym: {long} ({short})"),
                edits: vec![Edit { range, new_text: format!("{long} ({short})") }],
                safe: false,
                preferred: false,
            };
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::REFACTOR_REWRITE),
                edit: Some(convert::workspace_edit(&lines, uri, &fix, encoding)),
                ..CodeAction::default()
            });
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analysis::DocumentAnalysis;
    use crate::workspace::DocKey;
    use std::sync::Arc;

    fn index_of(docs: &[(&str, &str)]) -> WorkspaceIndex {
        let mut index = WorkspaceIndex::new();
        for (name, text) in docs {
            let path = std::path::PathBuf::from(format!("/ws/{name}"));
            let analysis = Arc::new(DocumentAnalysis::new(text));
            index.upsert(
                DocKey::from_path(&path),
                Some(path),
                Arc::new(text.to_string()),
                analysis,
                None,
            );
        }
        index
    }

    #[test]
    fn conflicting_definitions_are_shown_apart() {
        let index = index_of(&[
            ("a.txt", "De Xenon Test Unit (XTU) meet gassen.\n"),
            ("b.txt", "Een Xtra Tijd Uitbreiding (XTU) is aangevraagd. De XTU geldt kort.\n"),
        ]);
        assert_eq!(index.definitions_of("XTU").len(), 2);
        let markdown = acronym_markdown(&index, "XTU").unwrap();
        assert!(
            markdown.contains("Xenon Test Unit") && markdown.contains("Xtra Tijd Uitbreiding"),
            "{markdown}"
        );
        assert!(markdown.contains("2 different definitions"), "{markdown}");
        assert!(markdown.contains("Used 3 times"), "{markdown}");
    }

    #[test]
    fn definition_gives_one_place_per_long_form_preferring_the_current_document() {
        let text = "De Xenon Test Unit (XTU) meet gassen.\n";
        let index = index_of(&[
            ("a.txt", text),
            ("b.txt", text),
            ("c.txt", "Een Xtra Tijd Uitbreiding (XTU).\n"),
        ]);
        let from = index.docs().find(|d| d.name() == "b.txt").unwrap();
        let subject = Subject::Acronym { short: "XTU".into(), range: 0..0 };
        let places = query::definition_places(&index, &subject, from);
        let names: Vec<String> = places.iter().map(|p| p.doc.name()).collect();
        assert_eq!(names, vec!["b.txt", "c.txt"]);
    }

    #[test]
    fn fuzzy_matching() {
        assert!(fuzzy_matches("jscu", "JSCU Joint Sigint Cyber Unit"));
        assert!(fuzzy_matches("jsu", "JSCU"));
        assert!(fuzzy_matches("", "anything"));
        assert!(!fuzzy_matches("xyz", "JSCU"));
    }
}
