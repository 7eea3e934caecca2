//! Reflowed text: the document in reading order, furniture dropped, one paragraph per line,
//! paragraphs and headings separated by blank lines, hyphenated breaks resolved.

use std::ops::Range;

use serde::Serialize;

use super::model::LanguageModel;
use super::stream::ParagraphKind;
use super::{analyze, Layout};

/// A paragraph of the reflowed text with the buffer ranges it came from (JSON-friendly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReflowParagraph {
    pub kind: ParagraphKind,
    pub text: String,
    /// Buffer byte ranges of the paragraph's text, in reading order.
    pub source: Vec<Range<usize>>,
}

/// The paragraphs of an analysed document.
pub fn reflow_paragraphs(layout: &Layout) -> Vec<ReflowParagraph> {
    layout
        .paragraphs
        .iter()
        .map(|p| ReflowParagraph {
            kind: p.kind,
            text: p.text.clone(),
            source: p.source_ranges(0..p.text.len()),
        })
        .collect()
}

/// Renders paragraphs as text: one per line, separated by blank lines.
pub fn render(layout: &Layout) -> String {
    let mut out = String::new();
    for p in &layout.paragraphs {
        if p.text.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&p.text);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Reflows `text` with a language model learnt from `text` alone.
pub fn reflow(text: &str) -> String {
    let model = LanguageModel::from_text(text);
    render(&analyze(text, &model))
}

/// Reflows `text` with a caller-built model (e.g. learnt from a whole workspace; it should
/// include `text`).
pub fn reflow_with_model(text: &str, model: &LanguageModel) -> String {
    render(&analyze(text, model))
}
