//! The checks behind every fuzz target, shared by the cargo-fuzz targets (`fuzz/fuzz_targets`)
//! and the stable replay test (`tests/fuzz_replay.rs`), which runs the committed corpora through
//! them on every `cargo test`.
//!
//! Each check takes arbitrary bytes, runs one part of Scholion on them and panics when an
//! invariant breaks: a panic inside Scholion, a range outside the text or off a character
//! boundary, a fix that changes text outside its own range, a position round trip that does not
//! return where it started, or a valid JSON-RPC frame that does not pass through unchanged.
//!
//! Only the `scholion` crate and the crates it depends on are used here, so the replay test needs
//! nothing beyond the main package's dependencies.

#![allow(dead_code)] // each fuzz target uses one check

use std::future::Future;
use std::ops::Range;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use scholion::acronyms::{self, Glossary};
use scholion::analysis::{self, DocumentAnalysis, PageCache, Revision};
use scholion::config::Config;
use scholion::finding::{Edit, Finding};
use scholion::layout::{self, LanguageModel, Layout, Paragraph};
use scholion::lsp::transport::{self, Frame};
use scholion::text::lines::floor_char_boundary;
use scholion::text::position::{to_offset, to_position};
use scholion::text::{
    Document, LineIndex, Lines, Position, PositionEncoding, TextChange, Unchanged,
};

/// A check: arbitrary bytes in, a panic when an invariant breaks.
pub type Check = fn(&[u8]);

/// Every check by target name (the names of the fuzz targets and of the corpus directories).
pub const TARGETS: &[(&str, Check)] = &[
    ("layout", layout),
    ("acronyms", acronyms),
    ("garbled", garbled),
    ("position", position),
    ("document", document),
    ("transport", transport),
    ("analysis", analysis),
    ("server", server),
];

const ENCODINGS: [PositionEncoding; 3] =
    [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];

// ---------------------------------------------------------------------------------------------
// Helpers

/// A range of `text` that lies inside it and on character boundaries.
fn check_range(text: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what}: range {r:?} outside the text (length {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what}: range {r:?} not on character boundaries"
    );
}

/// Apply non-overlapping edits sorted by position.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for e in edits {
        out.push_str(&text[pos..e.range.start]);
        out.push_str(&e.new_text);
        pos = e.range.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// A finding's ranges lie in the text on character boundaries; each fix's edits are in order,
/// do not overlap, give a valid text and leave everything outside their span unchanged. With
/// `edits_inside`, every edit must also lie inside the finding's own range.
fn check_finding(text: &str, f: &Finding, edits_inside: bool) {
    let rule = f.rule;
    check_range(text, &f.range, rule);
    for r in &f.related {
        check_range(text, &r.range, rule);
    }
    for fix in &f.fixes {
        let mut edits = fix.edits.clone();
        for e in &edits {
            check_range(text, &e.range, rule);
            if edits_inside {
                assert!(
                    f.range.start <= e.range.start && e.range.end <= f.range.end,
                    "{rule}: edit {:?} outside the finding's range {:?}",
                    e.range,
                    f.range
                );
            }
        }
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        for pair in edits.windows(2) {
            assert!(
                pair[0].range.end <= pair[1].range.start,
                "{rule}: fix `{}` has overlapping edits {:?} and {:?}",
                fix.title,
                pair[0].range,
                pair[1].range
            );
        }
        let (Some(first), Some(last)) = (edits.first(), edits.last()) else {
            continue;
        };
        let (start, end) = (first.range.start, last.range.end);
        let fixed = apply(text, &edits);
        let suffix = &text[end..];
        assert!(
            fixed.starts_with(&text[..start]) && fixed.ends_with(suffix),
            "{rule}: fix `{}` changes text outside {start}..{end}",
            fix.title
        );
        assert!(fixed.len() >= start + suffix.len());
    }
}

fn check_edits_apply(text: &str, findings: &[Finding]) {
    let edits = analysis::safe_edits(findings);
    for pair in edits.windows(2) {
        assert!(pair[0].range.end <= pair[1].range.start, "safe_edits overlap");
    }
    let fixed = analysis::apply_edits(text, &edits);
    assert_eq!(fixed, apply(text, &edits), "apply_edits differs from a plain application");
}

/// The bytes as text: invalid UTF-8 becomes U+FFFD, which the analysers must handle anyway.
fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Reads structured parameters from the front of the fuzz input.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    /// A small number, or (for 0xF0..=0xFF) a huge one near `u32::MAX`, for out-of-range tests.
    fn num(&mut self) -> u32 {
        let b = self.u8();
        if b >= 0xF0 {
            u32::MAX - u32::from(b & 0x0F)
        } else {
            u32::from(b)
        }
    }

    fn position(&mut self) -> Position {
        Position::new(self.num(), self.num())
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn rest(&mut self) -> &'a [u8] {
        self.take(self.0.len())
    }
}

/// Is `offset` between the `\r` and the `\n` of a CRLF (an offset without a position of its
/// own: it maps to the end of the line's content)?
fn inside_crlf(text: &str, offset: usize) -> bool {
    offset > 0
        && text.as_bytes().get(offset - 1) == Some(&b'\r')
        && text.as_bytes().get(offset) == Some(&b'\n')
}

/// Drive a future that never waits (every stream here is in memory) to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("an in-memory future kept waiting");
}

// ---------------------------------------------------------------------------------------------
// 1. Layout model

fn check_paragraph(text: &str, p: &Paragraph) {
    let what = "paragraph";
    let stream = p.text(text);
    // The pieces cover the paragraph's text exactly, in order.
    let mut stream_end = 0;
    for piece in p.pieces() {
        assert_eq!(piece.stream.start, stream_end, "{what}: pieces leave a gap or overlap");
        stream_end = piece.stream.end;
    }
    assert_eq!(stream_end, stream.len(), "{what}: pieces do not cover the text");
    for piece in p.pieces() {
        check_range(&stream, &piece.stream, "paragraph piece (stream)");
        check_range(text, &piece.source, "paragraph piece (source)");
        if !piece.source.is_empty() {
            assert_eq!(
                &stream[piece.stream.clone()],
                &text[piece.source.clone()],
                "{what}: piece {piece:?} maps stream text to different source text"
            );
        }
    }
    for h in p.hyphens() {
        check_range(text, &h.first, "hyphen break (first)");
        check_range(text, &h.second, "hyphen break (second)");
    }
    for s in p.segments() {
        check_range(text, &s, "paragraph segment");
    }
    check_range(text, &p.source_span(), "paragraph span");
    for r in p.source_ranges(0..p.stream_len()) {
        check_range(text, &r, "paragraph source range");
    }
    for s in scholion::layout::sentences::sentences(&stream) {
        check_range(&stream, &s, "sentence (stream)");
        for r in p.source_ranges(s) {
            check_range(text, &r, "sentence source range");
        }
    }
}

fn check_layout(text: &str, layout: &Layout) {
    for page in &layout.pages {
        check_range(text, &page.range, "page");
        for line in page.lines() {
            check_range(text, &line.range, "line");
            assert!(
                page.range.start <= line.range.start && line.range.end <= page.range.end,
                "line {:?} outside its page {:?}",
                line.range,
                page.range
            );
            if let Some(seam) = line.seam() {
                check_range(text, &seam, "column seam");
                assert!(
                    line.range.start <= seam.start && seam.end <= line.range.end,
                    "seam {seam:?} outside its line {:?}",
                    line.range
                );
            }
        }
        for p in page.paragraphs() {
            check_paragraph(text, &p);
        }
    }
    for p in &layout.paragraphs {
        check_paragraph(text, &p);
    }
}

/// `scholion::layout`: page ranges, page/line/paragraph analysis, source maps, layout findings
/// and reflow.
pub fn layout(data: &[u8]) {
    let text = text_of(data);
    let text = text.as_str();
    let pages = layout::page_ranges(text);
    for r in &pages {
        check_range(text, r, "page range");
    }
    let model = LanguageModel::from_text(text);
    let layout = layout::analyze(text, &model);
    check_layout(text, &layout);
    let findings = layout::findings(text, &layout);
    for pair in findings.windows(2) {
        assert!(pair[0].range.start <= pair[1].range.start, "layout findings not sorted");
    }
    for f in findings {
        // Layout fixes may reach past the finding (the line break after removed furniture, the
        // second half of a hyphenated word), so only the general rules apply.
        check_finding(text, &f, false);
    }
    for p in layout::reflow_paragraphs(text, &layout) {
        for r in &p.source {
            check_range(text, r, "reflow paragraph source");
        }
    }
    let _ = layout::reflow::render(text, &layout);
    // A page found elsewhere in the buffer: the cache's move must keep the ranges consistent.
    if let Some(page) = layout.pages.first() {
        let moved = page.moved_to(page.range.start + 7).moved_to(page.range.start);
        assert_eq!(&moved, page, "moving a page there and back changes it");
        let away = page.moved_to(page.range.start + 7);
        assert!(away.lines().zip(page.lines()).all(|(a, b)| a.range.start == b.range.start + 7));
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Acronyms

/// `scholion::acronyms`: definitions, uses (plain and with known mixed-case forms), named terms,
/// long-form mentions, and glossary parsing of the same bytes.
pub fn acronyms(data: &[u8]) {
    let text = text_of(data);
    let text = text.as_str();
    let definitions = acronyms::find_definitions(text);
    for d in &definitions {
        check_range(text, &d.short_range, "definition short form");
        check_range(text, &d.long_range, "definition long form");
        assert_eq!(&text[d.short_range.clone()], d.short, "short form differs from its range");
        let long: Vec<&str> = text[d.long_range.clone()].split_whitespace().collect();
        assert_eq!(long.join(" "), d.long, "long form differs from its range");
    }
    for u in acronyms::find_uses(text) {
        check_range(text, &u.range, "acronym use");
        assert_eq!(&text[u.range.clone()], u.short, "use differs from its range");
    }
    let known = |t: &str| t.len() <= 4 || definitions.iter().any(|d| d.short == t);
    for u in acronyms::find_known_uses(text, &known) {
        check_range(text, &u.range, "known acronym use");
        assert_eq!(&text[u.range.clone()], u.short, "known use differs from its range");
    }
    for t in acronyms::find_named_terms(text) {
        check_range(text, &t.range, "named term");
    }
    let mut longs: Vec<String> = definitions.iter().take(4).map(|d| d.long.clone()).collect();
    // A long form taken from the text itself, so mentions are found too.
    longs.push(text.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    for long in &longs {
        let mut last_end = 0;
        for r in acronyms::find_long_form_mentions(text, long) {
            check_range(text, &r, "long form mention");
            assert!(r.start >= last_end, "long form mentions overlap or go back");
            last_end = r.end;
        }
    }
    if let Ok(glossary) = Glossary::parse(text) {
        for entry in glossary.entries() {
            if let Some(r) = &entry.source_range {
                check_range(text, r, "glossary entry header");
            }
            assert!(!entry.expansion.is_empty());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Garbled characters

/// `scholion::garbled`: every finding's range and fixes (each fix valid, inside its finding's
/// range, changing nothing outside it), the safe-fix application, `repair` and `fix_encoding`.
pub fn garbled(data: &[u8]) {
    let text = text_of(data);
    let text = text.as_str();
    let findings = scholion::garbled::check(text);
    for f in &findings {
        check_finding(text, f, true);
        for fix in &f.fixes {
            let fixed = apply(text, &fix.edits);
            assert_ne!(fixed, text, "{}: fix `{}` changes nothing", f.rule, fix.title);
        }
    }
    for pair in findings.windows(2) {
        assert!(pair[0].range.start <= pair[1].range.start, "findings not sorted");
    }
    check_edits_apply(text, &findings);
    let _ = scholion::garbled::repair(text);
    let _ = scholion::garbled::fix_encoding(text);
}

// ---------------------------------------------------------------------------------------------
// 4. Positions

/// Line structure of `LineIndex` (strings) and `Rope` (open documents) agree, and lines cover the
/// text exactly. The rope is asked about at most about 64 lines (the first, the last and a
/// sample between): a small rope recounts its one leaf on every call, which is slow in the
/// debug build the replay test runs in.
fn check_lines(text: &str, index: &LineIndex, rope: &dyn Lines) {
    let count = index.line_count();
    assert_eq!(count, rope.line_count(), "line counts differ for {text:?}");
    assert_eq!(rope.len_bytes(), text.len());
    let stride = count.div_ceil(32).max(1);
    let mut expected_start = 0;
    for line in 0..count {
        let content = index.line_content(line).expect("line in range");
        let ask_rope = line < 16 || line + 16 >= count || line % stride == 0;
        if ask_rope {
            assert_eq!(Some(content.clone()), rope.line_content(line), "line {line} of {text:?}");
            assert_eq!(rope.line_of(content.start), line);
        }
        check_range(text, &content, "line content");
        assert_eq!(content.start, expected_start, "line {line} does not start after the last");
        let body = &text[content.clone()];
        assert!(!body.contains(['\r', '\n']), "line {line} holds a line break");
        let rest = &text.as_bytes()[content.end..];
        let terminator = match rest {
            [b'\r', b'\n', ..] => 2,
            [b'\r' | b'\n', ..] => 1,
            _ => 0,
        };
        assert!(terminator > 0 || line + 1 == index.line_count(), "line {line} ends early");
        expected_start = content.end + terminator;
        assert_eq!(index.line_of(content.start), line);
    }
    assert_eq!(expected_start, text.len(), "lines do not cover the text");
    assert!(index.line_content(index.line_count()).is_none());
    assert!(rope.line_content(index.line_count()).is_none());
}

/// The offset a position of `offset` maps back to: its character's start, clamped into the
/// text, and the end of the line's content for an offset inside a CRLF.
fn expected_round_trip(text: &str, offset: usize) -> usize {
    let o = floor_char_boundary(text, offset.min(text.len()));
    if inside_crlf(text, o) {
        o - 1
    } else {
        o
    }
}

/// `rope` is optional: rope lookups are slow under coverage instrumentation (a small rope
/// recounts its one leaf on every call), so long texts compare with it at fewer offsets.
fn check_offset(text: &str, index: &LineIndex, rope: Option<&dyn Lines>, offset: usize) {
    for enc in ENCODINGS {
        let p = to_position(index, offset, enc);
        let back = to_offset(index, p, enc);
        if let Some(rope) = rope {
            assert_eq!(
                p,
                to_position(rope, offset, enc),
                "{enc:?} position of {offset} in {text:?}"
            );
            assert_eq!(back, to_offset(rope, p, enc), "{enc:?} offset of {p:?} in {text:?}");
        }
        assert_eq!(
            back,
            expected_round_trip(text, offset),
            "{enc:?}: offset {offset} → {p:?} → {back} in {text:?}"
        );
    }
}

fn check_position(text: &str, index: &LineIndex, rope: &dyn Lines, p: Position) {
    for enc in ENCODINGS {
        let offset = to_offset(index, p, enc);
        assert_eq!(offset, to_offset(rope, p, enc), "{enc:?} offset of {p:?} in {text:?}");
        assert!(offset <= text.len() && text.is_char_boundary(offset), "{p:?} → {offset}");
        match index.line_content(p.line as usize) {
            Some(content) => {
                assert!(
                    content.start <= offset && offset <= content.end,
                    "{enc:?}: {p:?} → {offset} outside its line {content:?}"
                );
                let q = to_position(index, offset, enc);
                assert_eq!(q.line, p.line, "{enc:?}: {p:?} → {offset} → {q:?}");
                assert!(q.character <= p.character, "{enc:?}: {p:?} → {offset} → {q:?}");
            }
            None => assert_eq!(offset, text.len(), "{enc:?}: {p:?} past the last line"),
        }
    }
}

/// `scholion::text` position and line modules: the line structure of `&str` and `Rope`, every
/// (or, for long texts, a sample of) character boundary round-tripping through a position in
/// each encoding, and arbitrary offsets and positions (past the line, past the text, inside a
/// character) clamping into the text.
pub fn position(data: &[u8]) {
    let mut bytes = Bytes(data);
    let offsets: Vec<usize> = (0..4)
        .map(|_| u16::from_le_bytes([bytes.u8(), bytes.u8()]) as usize)
        .chain([usize::MAX, u32::MAX as usize])
        .collect();
    let positions: Vec<Position> = (0..4).map(|_| bytes.position()).collect();
    let text = text_of(bytes.rest());
    let text = text.as_str();
    let index = LineIndex::new(text);
    let starts = scholion::text::lines::shared_line_starts(text);
    let cached = LineIndex::with_starts(text, &starts);
    let doc = Document::new(text, 0, "plaintext");
    let rope: &dyn Lines = &doc.rope;
    check_lines(text, &index, rope);
    let boundaries: Vec<usize> = (0..=text.len()).filter(|&o| text.is_char_boundary(o)).collect();
    let step = boundaries.len().div_ceil(128).max(1);
    let mut last = Position::default();
    for (k, &o) in boundaries.iter().step_by(step).chain(boundaries.last()).enumerate() {
        check_offset(text, &index, (k % 16 == 0).then_some(rope), o);
        let p = to_position(&cached, o, PositionEncoding::Utf16);
        assert!(p >= last, "positions go back at offset {o}");
        last = p;
    }
    for &o in &offsets {
        check_offset(text, &index, Some(rope), o);
        check_offset(text, &index, Some(rope), o % (text.len() + 1));
    }
    for &p in &positions {
        check_position(text, &index, rope, p);
        let line = p.line % (index.line_count() as u32 + 1);
        check_position(text, &index, rope, Position::new(line, p.character));
    }
}

// ---------------------------------------------------------------------------------------------
// 5a. Incremental document changes

/// `scholion::text::Document::apply`: a document gets a series of changes with arbitrary ranges
/// (inverted, out of range, inside characters and CRLFs) in arbitrary encodings. The rope must
/// match a plain string edited the same way, report where the new text went, and keep the same
/// line structure as the string.
pub fn document(data: &[u8]) {
    let mut bytes = Bytes(data);
    let initial_len = usize::from(bytes.u8()) * 4;
    let initial = text_of(bytes.take(initial_len));
    let mut doc = Document::new(&initial, 1, "plaintext");
    let mut expected = initial;
    let mut steps = 0;
    while !bytes.0.is_empty() && steps < 32 {
        steps += 1;
        let kind = bytes.u8();
        let encoding = ENCODINGS[usize::from(kind % 3)];
        let full = kind >= 0xF8;
        let start = bytes.position();
        let end = bytes.position();
        let len = usize::from(bytes.u8() % 24);
        let new_text = text_of(bytes.take(len));
        let change = TextChange { range: (!full).then_some((start, end)), text: new_text.clone() };
        let result = doc.apply(&change, encoding);
        if full {
            expected = new_text.clone();
            assert_eq!(result, Ok(0..new_text.len()));
        } else if end < start {
            assert!(result.is_err(), "an inverted range was applied");
        } else {
            let index = LineIndex::new(&expected);
            let a = to_offset(&index, start, encoding);
            let b = to_offset(&index, end, encoding).max(a);
            expected.replace_range(a..b, &new_text);
            assert_eq!(result, Ok(a..a + new_text.len()), "reported range of {change:?}");
        }
        let text = doc.text();
        assert_eq!(text, expected, "after {change:?} in {encoding:?}");
        if let Ok(range) = result {
            assert_eq!(&text[range], new_text);
        }
        check_lines(&text, &LineIndex::new(&text), &doc.rope);
    }
}

// ---------------------------------------------------------------------------------------------
// 5b. JSON-RPC transport

/// A frame the transport writes must read back as one whole body.
fn read_one(frame: &[u8]) -> Vec<u8> {
    let mut reader = tokio::io::BufReader::new(frame);
    match block_on(transport::read_frame(&mut reader)) {
        Ok(Some(Frame::Body(body))) => body,
        other => panic!("not a frame: {other:?}"),
    }
}

fn check_reply(reply: &[u8]) {
    let body = read_one(reply);
    let value: serde_json::Value = serde_json::from_slice(&body).expect("reply is JSON");
    assert_eq!(value["jsonrpc"], "2.0", "{value}");
    assert!(value["error"]["code"].is_i64(), "{value}");
    assert!(transport::vet(&body).is_ok(), "our own reply does not pass vetting: {value}");
}

/// Reads `input` as the server does; returns the messages that reached the server's handlers
/// and the replies sent back.
fn pump(input: &[u8]) -> (Vec<serde_json::Value>, Vec<Vec<u8>>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut messages = Vec::new();
    let mut reader = transport::MessageReader::new(input, &tx);
    while let Some(incoming) = block_on(reader.next()) {
        messages.push(as_json(&incoming));
    }
    let mut replies = Vec::new();
    while let Ok(reply) = rx.try_recv() {
        replies.push(reply.expect("the reader sends whole frames"));
    }
    (messages, replies)
}

fn as_json(incoming: &transport::Incoming) -> serde_json::Value {
    let value = match incoming {
        transport::Incoming::Request(request) => serde_json::to_value(request),
        transport::Incoming::Response(response) => serde_json::to_value(response),
    };
    value.expect("a decoded message serialises")
}

/// `scholion::lsp::transport`: arbitrary bytes as a client's stream (every frame read ends; each
/// body is vetted; replies are valid JSON-RPC errors; what is passed on is whole, well-formed
/// frames), and the input split into bodies that are framed properly: every valid one must
/// reach the server byte for byte, in order, and every other one must get exactly one reply.
pub fn transport(data: &[u8]) {
    // The raw stream.
    let mut reader = tokio::io::BufReader::new(data);
    let mut frames = 0;
    while let Some(frame) = block_on(transport::read_frame(&mut reader)).expect("in memory") {
        frames += 1;
        assert!(frames <= data.len() + 1, "read_frame does not advance");
        if let Frame::Body(body) = frame {
            if let Err(reply) = transport::vet(&body) {
                check_reply(&reply);
            }
        }
    }
    let (_, replies) = pump(data);
    for reply in &replies {
        check_reply(reply);
    }

    // Well-framed bodies, split at NUL bytes.
    let bodies: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let input: Vec<u8> = bodies.iter().flat_map(|b| transport::encode(b)).collect();
    let valid: Vec<serde_json::Value> =
        bodies.iter().filter_map(|b| transport::vet(b).ok()).map(|m| as_json(&m)).collect();
    let invalid = bodies.iter().filter(|b| transport::vet(b).is_err()).count();
    let (server, replies) = pump(&input);
    assert!(server == valid, "valid messages did not reach the server unchanged, in order");
    assert_eq!(replies.len(), invalid, "not one reply per invalid message");
    for reply in &replies {
        check_reply(reply);
    }
}

// ---------------------------------------------------------------------------------------------
// 5c. Analysis entry points used by the LSP handlers

/// `scholion::analysis` as the server uses it: a document's analysis (facts in buffer ranges),
/// all findings with the default configuration, the safe fixes applied, every range converted to
/// LSP positions and back; then an edit (chosen by the first bytes) analysed again through the
/// page cache, which must give what a fresh analysis gives.
pub fn analysis(data: &[u8]) {
    let mut bytes = Bytes(data);
    let cut_at = usize::from(u16::from_le_bytes([bytes.u8(), bytes.u8()]));
    let cut_len = usize::from(bytes.u8() % 64);
    let insert_len = usize::from(bytes.u8() % 16);
    let insert = text_of(bytes.take(insert_len));
    let text = text_of(bytes.rest());
    let text = text.as_str();

    let model = LanguageModel::from_text(text);
    let mut cache = PageCache::default();
    // Half the inputs tell the analysis of the edit below what changed, as the server does
    // (from the editor's changes); the others leave it to compare the texts.
    let told = cut_at % 2 == 0;
    let first = Revision { version: 1, unchanged_since: &|_| None };
    let analysed = DocumentAnalysis::with_cache_at(
        &Arc::new(text.to_string()),
        &model,
        &mut cache,
        Some(first),
    );
    check_layout(text, &analysed.layout);
    let facts = analysed.facts();
    for d in &facts.definitions {
        check_range(text, &d.short_range, "definition fact (short)");
        check_range(text, &d.long_range, "definition fact (long)");
    }
    for m in facts.uses.iter().chain(&facts.terms) {
        check_range(text, &m.range, "mention");
    }
    for h in &facts.headings {
        check_range(text, &h.range, "heading");
    }
    let is_defined = |short: &str| short.len() <= 3;
    let findings = analysis::findings(text, &analysed, &is_defined, &Config::default());
    let index = LineIndex::new(text);
    for f in &findings {
        check_finding(text, f, false);
        for enc in ENCODINGS {
            for r in std::iter::once(&f.range).chain(f.related.iter().map(|r| &r.range)) {
                let (a, b) = scholion::text::position::to_positions(&index, r.clone(), enc);
                assert!(a <= b, "{}: range {r:?} gives positions {a:?} > {b:?}", f.rule);
                assert_eq!(to_offset(&index, a, enc), expected_round_trip(text, r.start));
                assert_eq!(to_offset(&index, b, enc), expected_round_trip(text, r.end));
            }
        }
    }
    check_edits_apply(text, &findings);

    // An edit, then the cached analysis of the new text against a fresh one.
    let start = floor_char_boundary(text, cut_at);
    let end = floor_char_boundary(text, start + cut_len);
    let mut edited = text.to_string();
    edited.replace_range(start..end, &insert);
    let unchanged = Unchanged::around(start..end, text.len());
    let since = |version: i32| (told && version == 1).then_some(unchanged);
    let second = Revision { version: 2, unchanged_since: &since };
    let cached = DocumentAnalysis::with_cache_at(
        &Arc::new(edited.clone()),
        &model,
        &mut cache,
        Some(second),
    );
    assert_eq!(cache.told, usize::from(told), "the analysis was told what changed");
    let fresh = DocumentAnalysis::with_model(&edited, &model);
    assert_eq!(cached.layout, fresh.layout, "the page cache changes the layout");
    assert_eq!(cached.facts().definitions, fresh.facts().definitions);
    assert_eq!(cached.facts().uses, fresh.facts().uses);
    let sorted = |analysis: &DocumentAnalysis| {
        scholion::finding::absolute_in_order(analysis.intrinsic_findings(&edited))
    };
    assert_eq!(sorted(&cached), sorted(&fresh), "the page cache changes the findings");
    check_layout(&edited, &cached.layout);
}

// ---------------------------------------------------------------------------------------------
// 5d. The whole server, in process

const DOC_URI: &str = "file:///scholion-fuzz/doc.txt";

/// One runtime for all sessions (building one per input would cost more than the session).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        // The test-only `scholion/documentText` request, to compare the server's text with ours.
        std::env::set_var(scholion::lsp::TEST_API_ENV, "1");
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// A client that talks to an in-process server over in-memory pipes.
struct Session {
    to_server: Option<tokio::io::DuplexStream>,
    from_server: tokio::io::BufReader<tokio::io::DuplexStream>,
    next_id: i64,
    encoding: PositionEncoding,
    /// The document's text at each version the client sent (for pushed diagnostics).
    versions: std::collections::HashMap<i64, String>,
}

const SESSION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl Session {
    async fn send(&mut self, message: serde_json::Value) {
        use tokio::io::AsyncWriteExt;
        let frame = transport::encode(message.to_string().as_bytes());
        let to_server = self.to_server.as_mut().expect("open pipe");
        to_server.write_all(&frame).await.expect("the server reads its input");
    }

    async fn notify(&mut self, method: &str, params: serde_json::Value) {
        self.send(serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    /// Send a request and wait for its response, checking every message on the way.
    async fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        let request =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send(request).await;
        loop {
            let message = self.receive().await.expect("a response before the server ends");
            if message.get("id") == Some(&serde_json::json!(id)) && message.get("method").is_none()
            {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
        }
    }

    /// The next message from the server; server requests are answered, pushed diagnostics are
    /// checked against the text of their version.
    async fn receive(&mut self) -> Option<serde_json::Value> {
        let frame =
            tokio::time::timeout(SESSION_TIMEOUT, transport::read_frame(&mut self.from_server))
                .await
                .expect("the server answers in time")
                .expect("in memory")?;
        let Frame::Body(body) = frame else {
            panic!("the server wrote a broken frame: {frame:?}");
        };
        let message: serde_json::Value =
            serde_json::from_slice(&body).expect("JSON from the server");
        assert!(transport::vet(&body).is_ok(), "the server sent an invalid message: {message}");
        if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
            let reply = serde_json::json!({"jsonrpc": "2.0", "id": id, "result": null});
            self.send(reply).await;
        }
        if message.get("method") == Some(&serde_json::json!("textDocument/publishDiagnostics")) {
            let params = &message["params"];
            if params["uri"] == DOC_URI {
                if let Some(text) = params["version"].as_i64().and_then(|v| self.versions.get(&v)) {
                    check_lsp_ranges(text, self.encoding, &params["diagnostics"]);
                }
            }
        }
        Some(message)
    }
}

/// Is `p` (a JSON LSP position) a position of `text` exactly (on a line, not past its end,
/// not inside a character)?
fn check_lsp_position(text: &str, encoding: PositionEncoding, p: &serde_json::Value) -> Position {
    let line = p["line"].as_u64().and_then(|n| u32::try_from(n).ok());
    let character = p["character"].as_u64().and_then(|n| u32::try_from(n).ok());
    let (Some(line), Some(character)) = (line, character) else {
        panic!("not a position: {p}");
    };
    let position = Position::new(line, character);
    let index = LineIndex::new(text);
    assert!((line as usize) < index.line_count(), "{position:?} past the last line of {text:?}");
    let offset = to_offset(&index, position, encoding);
    assert_eq!(
        to_position(&index, offset, encoding),
        position,
        "{position:?} is not a position of {text:?} in {encoding:?}"
    );
    position
}

/// Check every range in a response that belongs to our document (other documents' ranges, such
/// as the built-in glossary's, are left alone).
fn check_lsp_ranges(text: &str, encoding: PositionEncoding, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter().for_each(|v| check_lsp_ranges(text, encoding, v)),
        Value::Object(map) => {
            for uri_key in ["uri", "targetUri"] {
                if map.get(uri_key).is_some_and(|u| u != DOC_URI) {
                    return;
                }
            }
            if map.get("textDocument").is_some_and(|d| d["uri"] != DOC_URI) {
                return;
            }
            for (key, v) in map {
                if key.contains("://") && key != DOC_URI {
                    continue; // a `WorkspaceEdit.changes` entry for another document
                }
                let is_range = matches!(
                    key.as_str(),
                    "range"
                        | "selectionRange"
                        | "targetRange"
                        | "targetSelectionRange"
                        | "originSelectionRange"
                );
                if is_range && v.is_object() {
                    let start = check_lsp_position(text, encoding, &v["start"]);
                    let end = check_lsp_position(text, encoding, &v["end"]);
                    assert!(start <= end, "range {v} ends before it starts");
                } else {
                    check_lsp_ranges(text, encoding, v);
                }
            }
        }
        _ => {}
    }
}

fn lsp_position(p: Position) -> serde_json::Value {
    serde_json::json!({"line": p.line, "character": p.character})
}

async fn server_session(data: &[u8]) {
    use serde_json::json;
    let mut bytes = Bytes(data);
    let flags = bytes.u8();
    let offered: Vec<&str> = [(1, "utf-8"), (2, "utf-16"), (4, "utf-32")]
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    let pull = flags & 8 != 0;
    let text_len = usize::from(bytes.u8()) * 8;
    let mut text = text_of(bytes.take(text_len));

    let (client_out, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, client_in) = tokio::io::duplex(1 << 20);
    let server = tokio::spawn(scholion::lsp::serve(server_in, server_out));
    let mut session = Session {
        to_server: Some(client_out),
        from_server: tokio::io::BufReader::new(client_in),
        next_id: 0,
        encoding: PositionEncoding::Utf16,
        versions: std::collections::HashMap::new(),
    };
    let mut capabilities = json!({"general": {"positionEncodings": offered}});
    if pull {
        capabilities["textDocument"] = json!({"diagnostic": {"dynamicRegistration": false}});
    }
    let init = session
        .request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        )
        .await;
    let name = init["capabilities"]["positionEncoding"].as_str().unwrap_or("utf-16");
    let encoding = PositionEncoding::from_name(name).expect("a known encoding");
    assert_eq!(
        encoding,
        PositionEncoding::negotiate(&offered.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    );
    session.encoding = encoding;
    session.notify("initialized", json!({})).await;
    let mut version = 1;
    session.versions.insert(version, text.clone());
    session
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": DOC_URI, "languageId": "plaintext", "version": version, "text": text}}),
        )
        .await;
    let doc = json!({"uri": DOC_URI});
    let mut steps = 0;
    while !bytes.0.is_empty() && steps < 12 {
        steps += 1;
        let kind = bytes.u8();
        let a = bytes.position();
        let b = bytes.position();
        let (start, end) = if b < a { (b, a) } else { (a, b) };
        let at = json!({"textDocument": doc, "position": lsp_position(a)});
        let result = match kind % 9 {
            0 => {
                // An edit (ranges in order: inverted ones are the `document` target's business).
                let len = usize::from(bytes.u8() % 24);
                let new_text = text_of(bytes.take(len));
                let index = LineIndex::new(&text);
                let from = to_offset(&index, start, encoding);
                let to = to_offset(&index, end, encoding).max(from);
                text.replace_range(from..to, &new_text);
                version += 1;
                session.versions.insert(version, text.clone());
                let change = json!({
                    "range": {"start": lsp_position(start), "end": lsp_position(end)},
                    "text": new_text,
                });
                session
                    .notify(
                        "textDocument/didChange",
                        json!({"textDocument": {"uri": DOC_URI, "version": version}, "contentChanges": [change]}),
                    )
                    .await;
                continue;
            }
            1 => session.request("textDocument/hover", at).await,
            2 => session.request("textDocument/definition", at).await,
            3 => {
                let mut params = at;
                params["context"] = json!({"includeDeclaration": kind & 0x10 != 0});
                session.request("textDocument/references", params).await
            }
            4 => {
                let range = json!({"start": lsp_position(start), "end": lsp_position(end)});
                let params =
                    json!({"textDocument": doc, "range": range, "context": {"diagnostics": []}});
                session.request("textDocument/codeAction", params).await
            }
            5 => session.request("textDocument/documentSymbol", json!({"textDocument": doc})).await,
            6 if pull => {
                session.request("textDocument/diagnostic", json!({"textDocument": doc})).await
            }
            7 => {
                let query =
                    text.split_whitespace().nth(a.line as usize % 8).unwrap_or("").to_string();
                session.request("workspace/symbol", json!({"query": query})).await
            }
            _ => {
                let result =
                    session.request("scholion/documentText", json!({"textDocument": doc})).await;
                assert_eq!(result["text"], text, "the server's text differs from the client's");
                assert_eq!(result["version"], version);
                continue;
            }
        };
        check_lsp_ranges(&text, encoding, &result);
    }
    let result = session.request("scholion/documentText", json!({"textDocument": doc})).await;
    assert_eq!(result["text"], text, "the server's text differs from the client's");
    if pull {
        let result = session.request("textDocument/diagnostic", json!({"textDocument": doc})).await;
        check_lsp_ranges(&text, encoding, &result);
    }
    session.request("shutdown", serde_json::Value::Null).await;
    session.notify("exit", serde_json::Value::Null).await;
    session.to_server = None; // end of input: the server's reader stops
    while session.receive().await.is_some() {}
    tokio::time::timeout(SESSION_TIMEOUT, server)
        .await
        .expect("the server stops after exit")
        .expect("the server task does not panic");
}

/// The whole language server in process: initialize (offered encodings and pull diagnostics
/// from the first byte), open a document, then edits and requests at arbitrary positions
/// (hover, definition, references, code actions, symbols, diagnostics). No request may fail,
/// the server's text must match the client's after every edit, and every range it returns or
/// publishes for the document must be a valid range of the text it refers to, in the negotiated
/// encoding.
pub fn server(data: &[u8]) {
    runtime().block_on(server_session(data));
}
