//! Property test: random edit sequences applied through the document store equal the same edits
//! applied to a `String`, in every position encoding.

use proptest::prelude::*;
use scholion::text::{Document, Position, PositionEncoding, TextChange};

const PIECES: &[&str] = &["a", "Z", " ", "é", "ï", "😀", "𝔘", "\n", "\r\n", "\r", "€", "ab\ncd"];

/// Byte offsets that a position can address: character boundaries, not inside a CRLF pair.
fn addressable(text: &str) -> Vec<usize> {
    (0..=text.len())
        .filter(|&o| text.is_char_boundary(o))
        .filter(|&o| {
            !(o > 0 && text.as_bytes()[o - 1] == b'\r' && text.as_bytes().get(o) == Some(&b'\n'))
        })
        .collect()
}

/// Position of a byte offset, computed independently of the library's conversion code.
fn position_of(text: &str, offset: usize, encoding: PositionEncoding) -> Position {
    let (mut line, mut line_start) = (0u32, 0usize);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < offset {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') && i + 1 < offset => {
                line += 1;
                i += 2;
                line_start = i;
                continue;
            }
            b'\r' | b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let prefix = &text[line_start..offset];
    let character = match encoding {
        PositionEncoding::Utf8 => prefix.len(),
        PositionEncoding::Utf16 => prefix.encode_utf16().count(),
        PositionEncoding::Utf32 => prefix.chars().count(),
    };
    Position::new(line, character as u32)
}

#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    len: usize,
    pieces: Vec<usize>,
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        (0usize..10_000, 0usize..8, prop::collection::vec(0usize..PIECES.len(), 0..4))
            .prop_map(|(start, len, pieces)| Edit { start, len, pieces }),
        1..60,
    )
}

fn check(encoding: PositionEncoding, initial: &str, edits: &[Edit]) {
    let mut expected = initial.to_string();
    let mut doc = Document::new(initial, 0, "plaintext");
    for edit in edits {
        let offsets = addressable(&expected);
        let start_index = edit.start % offsets.len();
        let end_index = (start_index + edit.len).min(offsets.len() - 1);
        let (start, end) = (offsets[start_index], offsets[end_index]);
        let insert: String = edit.pieces.iter().map(|&i| PIECES[i]).collect();
        let change = TextChange {
            range: Some((
                position_of(&expected, start, encoding),
                position_of(&expected, end, encoding),
            )),
            text: insert.clone(),
        };
        doc.apply(&change, encoding).expect("valid edit");
        expected.replace_range(start..end, &insert);
        assert_eq!(doc.text(), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn utf16_edits_match_a_string(edits in edits()) {
        check(PositionEncoding::Utf16, "a😀b\r\nïx\rlast 𝔘\n", &edits);
    }

    #[test]
    fn utf8_edits_match_a_string(edits in edits()) {
        check(PositionEncoding::Utf8, "a😀b\r\nïx\rlast 𝔘\n", &edits);
    }

    #[test]
    fn utf32_edits_match_a_string(edits in edits()) {
        check(PositionEncoding::Utf32, "", &edits);
    }
}
