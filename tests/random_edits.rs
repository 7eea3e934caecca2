//! Random incremental edits through the real server, in each position encoding.
//!
//! For utf-8, utf-16 and utf-32 (negotiated through `general.positionEncodings`), 10,000 random
//! `didChange` edits are sent: ASCII, accents, non-BMP characters (😀, 𝔘), CRLF and lone CR,
//! several changes in one notification, deletions across lines, inserts at line ends and at the
//! end of the document, positions past a line's end or the last line (clamped) and inside a
//! character (snapped to its start). The test keeps its own model — a `String` and its own
//! position→byte conversion, written independently of `src/text` — and after every 100 edits
//! the server's text (`scholion/documentText`) must equal it.
//!
//! The generator is a seeded xorshift; the seed is printed and can be set with
//! `RANDOM_EDITS_SEED=<n>` to replay a failure.

mod support;

use std::fmt::Write as _;
use std::time::Instant;

use serde_json::{json, Value};
use support::{capabilities_with_encodings, frame, Client};

const EDITS: usize = 10_000;
const CHECK_EVERY: usize = 100;
const URI: &str = "file:///tmp/scholion-random-edits/doc.txt";

/// Pieces of inserted text; line breaks of every kind, alone and inside text.
const PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    "woord ",
    "7",
    "é",
    "ï",
    "ü",
    "€",
    "ß",
    "😀",
    "𝔘",
    "\n",
    "\r\n",
    "\r",
    "ab\ncd",
    "x\r\ny",
    "\r\r\n\n",
    "\t",
    "Oekra√Øne",
];

/// xorshift64*: tiny, deterministic, good enough to pick edits.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
}

#[derive(Clone, Copy, Debug)]
enum Enc {
    Utf8,
    Utf16,
    Utf32,
}

impl Enc {
    fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "utf-8",
            Enc::Utf16 => "utf-16",
            Enc::Utf32 => "utf-32",
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Enc::Utf8 => c.len_utf8(),
            Enc::Utf16 => c.len_utf16(),
            Enc::Utf32 => 1,
        }
    }

    fn columns(self, s: &str) -> usize {
        s.chars().map(|c| self.width(c)).sum()
    }
}

/// The test's own line structure: lines end at `\n`, `\r\n` or a lone `\r`.
struct Lines {
    /// (content start, content end) of every line.
    lines: Vec<(usize, usize)>,
}

impl Lines {
    fn of(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    lines.push((start, i));
                    start = i + 1;
                }
                b'\r' => {
                    lines.push((start, i));
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        lines.push((start, bytes.len()));
        Lines { lines }
    }

    fn line_of(&self, offset: usize) -> usize {
        // The last line whose content starts at or before `offset`.
        self.lines.partition_point(|&(start, _)| start <= offset) - 1
    }
}

/// A position as the test sends it, and the byte offset the server must read it as.
struct Pos {
    json: Value,
    offset: usize,
}

/// Byte offsets a position can name: character boundaries, not between `\r` and `\n`.
fn addressable(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    (0..=text.len())
        .filter(|&o| text.is_char_boundary(o))
        .filter(|&o| !(o > 0 && bytes[o - 1] == b'\r' && bytes.get(o) == Some(&b'\n')))
        .collect()
}

struct Model {
    text: String,
    enc: Enc,
    /// How often the rarer cases came up, to show that they did.
    odd_positions: usize,
    full_changes: usize,
    min_len: usize,
    max_len: usize,
}

impl Model {
    fn new(text: &str, enc: Enc) -> Model {
        let len = text.len();
        Model {
            text: text.into(),
            enc,
            odd_positions: 0,
            full_changes: 0,
            min_len: len,
            max_len: len,
        }
    }

    /// The exact position of an addressable `offset`.
    fn pos(&self, lines: &Lines, offset: usize) -> Pos {
        let line = lines.line_of(offset);
        let (start, end) = lines.lines[line];
        assert!(offset <= end, "offset {offset} is inside a line break");
        let character = self.enc.columns(&self.text[start..offset]);
        Pos { json: json!({"line": line, "character": character}), offset }
    }

    /// A position for `offset` written the hostile ways a client may write it, where the
    /// server's clamping or snapping still gives `offset`: past the end of its line (at a line
    /// end), past the last line (at the end of the text), or inside a multi-unit character.
    fn odd_pos(&self, lines: &Lines, offset: usize, rng: &mut Rng) -> Pos {
        let line = lines.line_of(offset);
        let (_, end) = lines.lines[line];
        let exact = self.pos(lines, offset);
        let character = exact.json["character"].as_u64().unwrap_or(0);
        if offset == self.text.len() && rng.percent(50) {
            let past = lines.lines.len() + rng.below(3);
            return Pos { json: json!({"line": past, "character": rng.below(50)}), offset };
        }
        if offset == end {
            let beyond = if rng.percent(20) { 100_000 } else { 1 + rng.below(20) as u64 };
            return Pos { json: json!({"line": line, "character": character + beyond}), offset };
        }
        let c = self.text[offset..].chars().next().unwrap_or(' ');
        let width = self.enc.width(c);
        if width > 1 {
            let inside = 1 + rng.below(width - 1) as u64;
            return Pos { json: json!({"line": line, "character": character + inside}), offset };
        }
        exact
    }

    /// One random change against the current text; applies it to the model and returns the
    /// JSON content change.
    fn random_change(&mut self, rng: &mut Rng) -> Value {
        let lines = Lines::of(&self.text);
        let offsets = addressable(&self.text);
        let len = self.text.len();
        let insert = |rng: &mut Rng, max_pieces: usize| -> String {
            (0..rng.below(max_pieces + 1)).map(|_| PIECES[rng.below(PIECES.len())]).collect()
        };
        let (start, end, text) = match rng.below(1000) {
            // Rarely, the whole document (a full-text change).
            0..=3 => {
                let keep = self.text.clone();
                let text = format!("Opnieuw 😀\r\n{}", &keep[..floor_boundary(&keep, 2_000)]);
                self.text = text.clone();
                self.full_changes += 1;
                return json!({"text": text});
            }
            // Delete across lines: from a random place to one 1–4 lines further.
            4..=120 => {
                let start = offsets[rng.below(offsets.len())];
                let line = (lines.line_of(start) + 1 + rng.below(4)).min(lines.lines.len() - 1);
                let (ls, le) = lines.lines[line];
                let candidates: Vec<usize> =
                    offsets.iter().copied().filter(|&o| o >= ls && o <= le).collect();
                let end = candidates[rng.below(candidates.len())].max(start);
                let text = if rng.percent(70) { String::new() } else { insert(rng, 2) };
                (start, end, text)
            }
            // Insert at the end of a line (before its line break).
            121..=270 => {
                let (_, end) = lines.lines[rng.below(lines.lines.len())];
                (end, end, non_empty(insert(rng, 3)))
            }
            // Insert at the end of the document.
            271..=370 => (len, len, non_empty(insert(rng, 3))),
            // Grow a small document.
            _ if len < 2_500 => {
                let at = offsets[rng.below(offsets.len())];
                (at, at, insert(rng, 12))
            }
            // Shrink a large one.
            _ if len > 5_000 || (len > 3_500 && rng.percent(50)) => {
                let i = rng.below(offsets.len());
                let j = offsets.partition_point(|&o| o <= offsets[i] + 300).saturating_sub(1);
                (offsets[i], offsets[j.max(i)], String::new())
            }
            // Anywhere: replace up to 8 characters with up to 4 pieces.
            _ => {
                let i = rng.below(offsets.len());
                let j = (i + rng.below(9)).min(offsets.len() - 1);
                (offsets[i], offsets[j], insert(rng, 4))
            }
        };
        let start_pos = if start == end && rng.percent(15) {
            self.odd_positions += 1;
            self.odd_pos(&lines, start, rng)
        } else {
            self.pos(&lines, start)
        };
        // Odd forms only for the end (or a collapsed range written the same way at both ends):
        // an odd start could land after an exactly written end.
        let end_pos = if start == end {
            Pos { json: start_pos.json.clone(), offset: start_pos.offset }
        } else if rng.percent(15) {
            self.odd_positions += 1;
            self.odd_pos(&lines, end, rng)
        } else {
            self.pos(&lines, end)
        };
        assert_eq!((start_pos.offset, end_pos.offset), (start, end));
        self.text.replace_range(start..end, &text);
        self.min_len = self.min_len.min(self.text.len());
        self.max_len = self.max_len.max(self.text.len());
        json!({"range": {"start": start_pos.json, "end": end_pos.json}, "text": text})
    }
}

fn non_empty(text: String) -> String {
    if text.is_empty() {
        "x".into()
    } else {
        text
    }
}

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn initial_text() -> String {
    let mut text = String::new();
    for i in 0..24 {
        let end = match i % 4 {
            0 => "\n",
            1 => "\r\n",
            2 => "\r",
            _ => "\n\n",
        };
        let _ = write!(
            text,
            "Regel {i}: de Militaire Inlichtingen- en Veiligheidsdienst (MIVD) 😀 in Oekraïne 𝔘.{end}"
        );
    }
    text
}

fn seed_for(enc: Enc) -> u64 {
    let base = std::env::var("RANDOM_EDITS_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0x5C40_110E);
    base ^ (enc as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn run(enc: Enc) {
    let seed = seed_for(enc);
    println!("random_edits {}: seed {seed} (replay with RANDOM_EDITS_SEED)", enc.name());
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let (mut client, result) =
        Client::initialized(capabilities_with_encodings(&[enc.name()]), None);
    assert_eq!(result["capabilities"]["positionEncoding"], enc.name());
    let mut model = Model::new(&initial_text(), enc);
    let mut multi_change_notifications = 0;
    client.open(URI, &model.text);
    let mut version = 1;
    let mut edits = 0;
    let mut batch: Vec<u8> = Vec::new();
    let mut recent: Vec<String> = Vec::new();
    while edits < EDITS {
        // One to four changes per notification, each against the text left by the previous.
        let count = if rng.percent(25) { 2 + rng.below(3) } else { 1 };
        let count = count.min(EDITS - edits).min(CHECK_EVERY - edits % CHECK_EVERY);
        let changes: Vec<Value> = (0..count).map(|_| model.random_change(&mut rng)).collect();
        multi_change_notifications += usize::from(count > 1);
        edits += count;
        version += 1 + rng.below(3) as i64; // versions grow, not always by one
        let body = json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": URI, "version": version}, "contentChanges": changes}});
        let body = body.to_string();
        recent.push(body.clone());
        batch.extend(frame(&body));
        if edits % CHECK_EVERY == 0 {
            client.send_raw(&batch);
            batch.clear();
            let (server_version, server_text) = client.server_text(URI);
            if server_version != version || server_text != model.text {
                panic!(
                    "{}: server text differs from the model after {edits} edits (seed {seed}, \
                     version {version}, server version {server_version}).\nmodel:  {:?}\n\
                     server: {:?}\nlast notifications:\n{}",
                    enc.name(),
                    model.text,
                    server_text,
                    recent.join("\n")
                );
            }
            recent.clear();
            client.notifications.clear();
        }
    }
    println!(
        "random_edits {}: {EDITS} edits ({multi_change_notifications} notifications with several \
         changes, {} odd positions, {} full changes), text {}..{} bytes, {:.1?}",
        enc.name(),
        model.odd_positions,
        model.full_changes,
        model.min_len,
        model.max_len,
        started.elapsed()
    );
    assert!(multi_change_notifications > 100 && model.odd_positions > 100);
    assert!(client.shutdown().success());
}

/// Every version indexed, one notification at a time: the text the server makes for the index
/// by patching an earlier version's copy equals the model. The text is long enough that edits
/// far apart are replayed one by one rather than written as one.
fn index_every_version(enc: Enc) {
    let seed = seed_for(enc) ^ 1;
    let mut rng = Rng::new(seed);
    let (mut client, _) = Client::initialized(capabilities_with_encodings(&[enc.name()]), None);
    let mut model = Model::new(&initial_text().repeat(10), enc);
    client.open(URI, &model.text);
    for version in 2..300 {
        let count = if rng.percent(25) { 2 } else { 1 };
        let changes: Vec<Value> = (0..count).map(|_| model.random_change(&mut rng)).collect();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": changes}),
        );
        let indexed = client.indexed_text(URI);
        assert!(
            indexed.as_deref() == Some(model.text.as_str()),
            "{}: indexed text differs from the model at version {version} (seed {seed})",
            enc.name()
        );
    }
    assert!(client.shutdown().success());
}

#[test]
fn every_indexed_version_holds_the_edited_text_in_utf16() {
    index_every_version(Enc::Utf16);
}

#[test]
fn every_indexed_version_holds_the_edited_text_in_utf8() {
    index_every_version(Enc::Utf8);
}

#[test]
fn ten_thousand_random_edits_in_utf8() {
    run(Enc::Utf8);
}

#[test]
fn ten_thousand_random_edits_in_utf16() {
    run(Enc::Utf16);
}

#[test]
fn ten_thousand_random_edits_in_utf32() {
    run(Enc::Utf32);
}

#[test]
fn the_model_agrees_with_hand_worked_positions() {
    let model = Model::new("a😀b\r\nïx\rlast\n", Enc::Utf16);
    let lines = Lines::of(&model.text);
    assert_eq!(lines.lines, vec![(0, 6), (8, 11), (12, 16), (17, 17)]);
    assert_eq!(model.pos(&lines, 5).json, json!({"line": 0, "character": 3}));
    assert_eq!(model.pos(&lines, 11).json, json!({"line": 1, "character": 2}));
    assert_eq!(model.pos(&lines, 17).json, json!({"line": 3, "character": 0}));
    assert!(!addressable(&model.text).contains(&7), "between CR and LF");
    let utf8 = Model::new(&model.text, Enc::Utf8);
    assert_eq!(utf8.pos(&lines, 5).json, json!({"line": 0, "character": 5}));
}
