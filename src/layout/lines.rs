//! Pages, lines and line roles (page furniture, blank, body).
//!
//! Furniture is what the PDF repeats on every page and what is not part of the text flow:
//! running headers (`Militaire Inlichtingen- en Veiligheidsdienst 37`), page numbers (`39`) and
//! chapter numbers set in the margin (`5`). It is recognised by shape and position only: it sits
//! among the first or last few lines of a page.

use std::ops::Range;

use serde::Serialize;

use super::words::{char_len, words};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineRole {
    Blank,
    RunningHeader,
    PageNumber,
    ChapterNumber,
    /// A line that is one heading on its own (decided after column decoding).
    Heading,
    Body,
}

impl LineRole {
    pub fn is_furniture(self) -> bool {
        matches!(self, LineRole::RunningHeader | LineRole::PageNumber | LineRole::ChapterNumber)
    }
}

/// Byte ranges of the lines of `text`, without their terminators (`\n`, `\r\n` or a lone `\r`).
pub fn line_ranges(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    // memchr finds the terminators many bytes at a time (every text of a scan is split here).
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if i < start {
            continue; // the `\n` of a `\r\n`
        }
        out.push(start..i);
        let crlf = bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n');
        start = i + 1 + usize::from(crlf);
    }
    if start < bytes.len() {
        out.push(start..bytes.len());
    }
    out
}

/// The end of the line terminator that follows a line ending at `end` (for "remove this line").
pub fn line_end_with_terminator(text: &str, end: usize) -> usize {
    let bytes = text.as_bytes();
    match bytes.get(end) {
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end + 2,
        Some(b'\r') | Some(b'\n') => end + 1,
        _ => end,
    }
}

/// Byte ranges of the pages: split at form feeds when the text has them, else one page.
pub fn page_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    // A form feed is one byte in UTF-8 and never part of another character.
    for i in memchr::memchr_iter(0x0c, text.as_bytes()) {
        out.push(start..i);
        start = i + 1;
    }
    out.push(start..text.len());
    out
}

fn is_page_number(t: &str) -> bool {
    let t = t.trim();
    (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
        || (t.len() <= 6 && !t.is_empty() && t.chars().all(|c| matches!(c, 'i' | 'v' | 'x' | 'l')))
}

/// `Militaire Inlichtingen- en Veiligheidsdienst 37` or `38     Militaire ...`: a short title
/// with a page number at one end and no sentence punctuation.
pub fn is_numbered_header(t: &str) -> bool {
    let t = t.trim();
    let ws: Vec<&str> = t.split_whitespace().collect();
    if ws.len() < 2 || ws.len() > 10 || char_len(t) > 90 {
        return false;
    }
    let title = if is_page_number(ws[0]) {
        &ws[1..]
    } else if is_page_number(ws[ws.len() - 1]) {
        &ws[..ws.len() - 1]
    } else {
        return false;
    };
    let Some(first) = title.first() else {
        return false;
    };
    let Some(last) = title.last() else {
        return false;
    };
    super::words::starts_upper(first)
        && !last.ends_with(['.', ',', ';', ':'])
        && title.iter().all(|w| !w.ends_with('.'))
}

/// Assigns furniture/blank/body roles to the lines of one page. `lines` are ranges into `page`;
/// `later_page`: the page follows another page of its document.
pub fn classify(page: &str, lines: &[Range<usize>], later_page: bool) -> Vec<LineRole> {
    let text = |r: &Range<usize>| page.get(r.clone()).unwrap_or("");
    let mut roles: Vec<LineRole> = lines
        .iter()
        .map(|r| if text(r).trim().is_empty() { LineRole::Blank } else { LineRole::Body })
        .collect();
    let content: Vec<usize> = (0..lines.len()).filter(|&i| roles[i] != LineRole::Blank).collect();
    // A short text is text; but the short last page of a document is still a page, which can
    // hold only its header and a line or two.
    if content.len() < 3 && !later_page {
        return roles;
    }
    let head = &content[..content.len().min(8)];
    let tail = &content[content.len().saturating_sub(3)..];
    let mut seen_page_number = false;
    for (position, &i) in head.iter().enumerate() {
        let t = text(&lines[i]);
        if is_page_number(t) {
            roles[i] =
                if seen_page_number { LineRole::ChapterNumber } else { LineRole::PageNumber };
            seen_page_number = true;
        } else if position < 2 && is_numbered_header(t) {
            roles[i] = LineRole::RunningHeader;
            seen_page_number = true;
        }
    }
    // A short title line right above the page number (`Samenwerking en organisatie...  ` / `39`).
    if let (Some(&first), Some(&second)) = (content.first(), content.get(1)) {
        let t = text(&lines[first]);
        let ws = words(t);
        if roles[second] == LineRole::PageNumber
            && roles[first] == LineRole::Body
            && ws.len() <= 10
            && !t.trim_end().ends_with(['.', ',', ';', ':'])
            && ws
                .first()
                .and_then(|w| t.get(w.start..w.end))
                .is_some_and(super::words::starts_upper)
        {
            roles[first] = LineRole::RunningHeader;
        }
    }
    for &i in tail.iter().rev() {
        let t = text(&lines[i]);
        if is_page_number(t) {
            roles[i] = LineRole::PageNumber;
        } else if is_numbered_header(t) && i == content[content.len() - 1] {
            roles[i] = LineRole::RunningHeader;
        } else {
            break;
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_all_line_endings() {
        let t = "a\r\nb\rc\nd";
        let r = line_ranges(t);
        let parts: Vec<&str> = r.iter().map(|r| &t[r.clone()]).collect();
        assert_eq!(parts, ["a", "b", "c", "d"]);
        assert_eq!(line_end_with_terminator(t, 1), 3);
        assert!(line_ranges("").is_empty());
    }

    /// The byte-at-a-time definition `line_ranges` must agree with.
    fn line_ranges_by_bytes(text: &str) -> Vec<Range<usize>> {
        let bytes = text.as_bytes();
        let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
        while i < bytes.len() {
            if bytes[i] == b'\n' || bytes[i] == b'\r' {
                out.push(start..i);
                if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            i += 1;
        }
        if start < bytes.len() {
            out.push(start..bytes.len());
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]
        #[test]
        fn line_ranges_agree_with_splitting_byte_by_byte(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "ab", "\r\n", "\r", "\n", "\r\r\n", "\n\r", "é", "😀", " ", "\u{c}",
            ]), 1..16),
        ) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(line_ranges(&text), line_ranges_by_bytes(&text), "{:?}", text);
        }
    }

    #[test]
    fn finds_furniture() {
        let page = "Militaire Inlichtingen- en Veiligheidsdienst 37\nDe MIVD heeft een rol.\nen meer tekst hier\nnog meer\n";
        let lines = line_ranges(page);
        let roles = classify(page, &lines, false);
        assert_eq!(roles[0], LineRole::RunningHeader);
        assert_eq!(roles[1], LineRole::Body);
        let page = "Samenwerking en organisatieontwikkeling        \n39\nSamenwerking \nen organisatie-\n5\nontwikkeling \nHet grensoverschrijdende karakter\n";
        let lines = line_ranges(page);
        let roles = classify(page, &lines, false);
        assert_eq!(roles[0], LineRole::RunningHeader);
        assert_eq!(roles[1], LineRole::PageNumber);
        assert_eq!(roles[2], LineRole::Body);
        assert_eq!(roles[4], LineRole::ChapterNumber);
        // The short last page of a document.
        let page = "13     Jaarverslag van de Dienst\nDebian-distributie kiezen). \n";
        let roles = classify(page, &line_ranges(page), true);
        assert_eq!(roles, [LineRole::RunningHeader, LineRole::Body]);
        let header_only = "13     Jaarverslag van de Dienst\n";
        let roles = classify(header_only, &line_ranges(header_only), true);
        assert_eq!(roles, [LineRole::RunningHeader]);
        // The same lines alone are a short text, not a page.
        assert_eq!(classify(page, &line_ranges(page), false), [LineRole::Body, LineRole::Body]);
    }
}
