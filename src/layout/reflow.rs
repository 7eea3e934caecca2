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

/// The paragraphs of an analysed document (`layout` is the layout of `text`).
pub fn reflow_paragraphs(text: &str, layout: &Layout) -> Vec<ReflowParagraph> {
    layout
        .paragraphs
        .iter()
        .map(|p| ReflowParagraph {
            kind: p.kind,
            text: p.text(text).into_owned(),
            source: p.source_ranges(0..p.stream_len()),
        })
        .collect()
}

/// Renders paragraphs as text: one per line, separated by blank lines.
pub fn render(text: &str, layout: &Layout) -> String {
    let mut out = String::new();
    for p in &layout.paragraphs {
        let paragraph = p.text(text);
        if paragraph.trim().is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&paragraph);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The reading-order text of the paragraphs (or parts of paragraphs) that lie in buffer range
/// `page`, one entry per paragraph: what a page looks like reflowed. A word joined across the
/// page's end keeps its hyphen, so the next page still completes it.
pub fn page_paragraph_texts(text: &str, layout: &Layout, page: Range<usize>) -> Vec<String> {
    let inside = |r: &Range<usize>| !r.is_empty() && page.start <= r.start && r.end <= page.end;
    layout
        .paragraphs
        .iter()
        .filter_map(|p| {
            let pieces: Vec<_> = p.pieces().collect();
            let first = pieces.iter().position(|piece| inside(&piece.source))?;
            let last = pieces.iter().rposition(|piece| inside(&piece.source))?;
            let (start, end) = (pieces[first].stream.start, pieces[last].stream.end);
            let paragraph = p.text(text);
            let mut shown = paragraph.get(start..end)?.trim().to_string();
            let word_goes_on = paragraph.get(end..).and_then(|rest| rest.chars().next());
            if last + 1 < pieces.len() && word_goes_on.is_some_and(char::is_alphanumeric) {
                shown.push('-');
            }
            (!shown.is_empty()).then_some(shown)
        })
        .collect()
}

/// Reflows `text` with a language model learnt from `text` alone.
pub fn reflow(text: &str) -> String {
    let model = LanguageModel::from_text(text);
    render(text, &analyze(text, &model))
}

/// Reflows `text` with a caller-built model (e.g. learnt from a whole workspace; it should
/// include `text`).
pub fn reflow_with_model(text: &str, model: &LanguageModel) -> String {
    render(text, &analyze(text, model))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_texts_split_paragraphs_at_the_page_and_keep_the_hyphen() {
        let text = "De dienst werkt al jaren aan een betere organisatie-\n\u{c}ontwikkeling van het werk. Daarna volgt meer.\n";
        let model = LanguageModel::from_text(text);
        let layout = analyze(text, &model);
        assert_eq!(layout.paragraphs.len(), 1, "{:?}", layout.paragraphs);
        assert!(layout.paragraphs.iter().all(|p| p.text(text).contains("organisatieontwikkeling")));
        // The document holds the halves merged; its pages let go of their own.
        assert!(layout.pages.iter().all(|p| p.paragraphs_released()));
        let first = page_paragraph_texts(text, &layout, layout.pages[0].range.clone());
        assert_eq!(first, ["De dienst werkt al jaren aan een betere organisatie-"]);
        let second = page_paragraph_texts(text, &layout, layout.pages[1].range.clone());
        assert_eq!(second, ["ontwikkeling van het werk. Daarna volgt meer."]);
    }
}
