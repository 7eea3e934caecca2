//! An open document: its text in a rope, its version, and incremental edits, with a record of
//! what each edit left unchanged (so that an analysis of the next version need not compare
//! the two texts to find out).

use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;

use super::position::{to_offset, Position, PositionEncoding};

/// One content change as the client sends it: a range edit, or the whole new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextChange {
    /// `None` replaces the whole document.
    pub range: Option<(Position, Position)>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The change's end lies before its start.
    InvertedRange { start: Position, end: Position },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::InvertedRange { start, end } => write!(
                f,
                "edit range ends ({}:{}) before it starts ({}:{})",
                end.line, end.character, start.line, start.character
            ),
        }
    }
}

impl std::error::Error for EditError {}

/// What two versions of a text share: their first `prefix` bytes and their last `suffix`
/// bytes (which never overlap, in either version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unchanged {
    pub prefix: usize,
    pub suffix: usize,
}

impl Unchanged {
    /// What a step that changed nothing leaves: everything, whatever the text's length (so
    /// that it changes nothing when composed with [`Unchanged::then`]).
    pub const ALL: Unchanged = Unchanged { prefix: usize::MAX, suffix: usize::MAX };

    /// What an edit that replaced `old[range]` (of a text `old_len` bytes long) left.
    pub fn around(range: Range<usize>, old_len: usize) -> Self {
        Unchanged { prefix: range.start, suffix: old_len.saturating_sub(range.end) }
    }

    /// What stays through this change and then `next`: the shorter of each end.
    pub fn then(self, next: Unchanged) -> Unchanged {
        Unchanged { prefix: self.prefix.min(next.prefix), suffix: self.suffix.min(next.suffix) }
    }

    /// Whether this can describe texts `old` and `new`: the ends fit in both and fall on
    /// character boundaries (a cheap check, not a comparison).
    pub fn fits(&self, old: &str, new: &str) -> bool {
        self.fits_in(old) && self.fits_in(new)
    }

    /// Whether both ends fit in `text` and fall on its character boundaries.
    fn fits_in(&self, text: &str) -> bool {
        self.prefix.checked_add(self.suffix).is_some_and(|n| n <= text.len())
            && text.is_char_boundary(self.prefix)
            && text.is_char_boundary(text.len() - self.suffix)
    }
}

/// The last edits of a document, by version: what each notification left unchanged.
#[derive(Debug, Clone, Default)]
pub struct EditHistory {
    /// Oldest first; contiguous (each starts at the version the one before ended at).
    steps: VecDeque<Step>,
    /// A notification failed halfway: the text changed without a new version, so neither
    /// the current version nor the next step says what an analysis of it saw.
    failed: bool,
}

/// One notification's edits, from version `from` to `to`.
#[derive(Debug, Clone)]
struct Step {
    from: i32,
    to: i32,
    /// What the edits left unchanged.
    unchanged: Unchanged,
    /// The text they left between the unchanged ends, when short (a keystroke's): with it,
    /// a copy of the text at `from` can be brought to `to` (see [`Document::snapshot`]).
    inserted: Option<Box<str>>,
}

/// An analysis that lags further behind than this compares the texts instead.
const HISTORY_STEPS: usize = 64;

/// The longest text a step keeps for patching copies; a longer edit makes a fresh copy.
const STEP_TEXT_MAX: usize = 4096;

impl EditHistory {
    fn record(&mut self, step: Step) {
        if self.steps.back().is_some_and(|last| last.to != step.from) {
            self.steps.clear();
        }
        if self.steps.len() == HISTORY_STEPS {
            self.steps.pop_front();
        }
        self.steps.push_back(step);
    }

    /// The steps since version `from`, oldest first; `None` when they are not all known (too
    /// long ago, or a change replaced the whole text).
    fn steps_since(&self, from: i32) -> Option<impl Iterator<Item = &Step>> {
        let first = self.steps.iter().position(|step| step.from == from)?;
        Some(self.steps.range(first..))
    }

    /// What the edits since version `from` left unchanged, composed; `None` when they are
    /// not all known.
    fn unchanged_since(&self, from: i32) -> Option<Unchanged> {
        let mut steps = self.steps_since(from)?.map(|step| step.unchanged);
        let first = steps.next()?;
        Some(steps.fold(first, Unchanged::then))
    }
}

/// A version of a document's text, shared by the index, the analyses and the requests that read
/// it. A `String` rather than a `str`, so that a buffer nothing holds any more can become a
/// later version's in place (see [`Document::snapshot`]).
pub type SharedText = Arc<String>;

/// An earlier version's text, kept for [`Document::snapshot`] to patch into a later one.
#[derive(Debug)]
pub struct Spare {
    pub version: i32,
    pub text: SharedText,
}

/// Replaces what lies between the ends `unchanged` leaves of `text` with `between`; `false`
/// when those ends do not fit it.
fn replace(text: &mut String, unchanged: Unchanged, between: &str) -> bool {
    if !unchanged.fits_in(text) {
        return false;
    }
    let end = text.len() - unchanged.suffix;
    text.replace_range(unchanged.prefix..end, between);
    true
}

#[derive(Debug, Clone)]
pub struct Document {
    pub rope: Rope,
    /// The client's version number; increases with every change (not always by one).
    pub version: i32,
    pub language_id: String,
    /// What the last notifications changed, for analyses that start from an earlier version.
    pub history: EditHistory,
}

impl Document {
    pub fn new(text: &str, version: i32, language_id: impl Into<String>) -> Self {
        Document {
            rope: Rope::from_str(text),
            version,
            language_id: language_id.into(),
            history: EditHistory::default(),
        }
    }

    /// Apply a notification's changes in order and move to `version`. On an error the changes
    /// before it stay applied and the version does not move (the client's next full sync
    /// repairs the text); the history is then forgotten, since the text moved without it.
    pub fn apply_all(
        &mut self,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> Result<(), EditError> {
        // `None` until the first change; then `Some(None)` once what stays is unknown.
        let mut unchanged: Option<Option<Unchanged>> = None;
        for change in changes {
            let old_len = self.rope.len_bytes();
            match self.apply(change, encoding) {
                // A whole new text: what it shares with the old is unknown.
                Ok(_) if change.range.is_none() => unchanged = Some(None),
                Ok(new) => {
                    let old_end = new.start + old_len + new.len() - self.rope.len_bytes();
                    let step = Unchanged::around(new.start..old_end, old_len);
                    unchanged = Some(match unchanged {
                        None => Some(step),
                        Some(before) => before.map(|u| u.then(step)),
                    });
                }
                Err(err) => {
                    self.history = EditHistory { failed: true, ..EditHistory::default() };
                    return Err(err);
                }
            }
        }
        match unchanged.unwrap_or(Some(Unchanged::ALL)).filter(|_| !self.history.failed) {
            Some(unchanged) => {
                let inserted = self.text_between(unchanged);
                let step = Step { from: self.version, to: version, unchanged, inserted };
                self.history.record(step);
            }
            None => self.history = EditHistory::default(),
        }
        self.version = version;
        Ok(())
    }

    /// Apply one change; positions are read in `encoding` and clamped into the text.
    /// Returns the byte range of the new text in the document.
    pub fn apply(
        &mut self,
        change: &TextChange,
        encoding: PositionEncoding,
    ) -> Result<Range<usize>, EditError> {
        let Some((start, end)) = change.range else {
            self.rope = Rope::from_str(&change.text);
            return Ok(0..change.text.len());
        };
        if end < start {
            return Err(EditError::InvertedRange { start, end });
        }
        let start_byte = to_offset(&self.rope, start, encoding);
        let end_byte = to_offset(&self.rope, end, encoding).max(start_byte);
        let start_char = self.rope.byte_to_char(start_byte);
        let end_char = self.rope.byte_to_char(end_byte);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, &change.text);
        Ok(start_byte..start_byte + change.text.len())
    }

    pub fn text(&self) -> String {
        // Chunk by chunk into one allocation of the right size (`Rope::to_string` goes through
        // the formatting machinery and grows its buffer as it goes).
        let mut text = String::with_capacity(self.rope.len_bytes());
        for chunk in self.rope.chunks() {
            text.push_str(chunk);
        }
        text
    }

    /// What the edits since version `from` left unchanged; `None` when they are not all known
    /// (too long ago, a change replaced the whole text, or `from` is not a version it had).
    pub fn unchanged_since(&self, from: i32) -> Option<Unchanged> {
        let all = Unchanged { prefix: self.rope.len_bytes(), suffix: 0 };
        match from == self.version && !self.history.failed {
            true => Some(all),
            false => {
                self.history
                    .unchanged_since(from)
                    .map(|u| if u == Unchanged::ALL { all } else { u })
            }
        }
    }

    /// The text in one shared buffer. `spare`, the buffer of an earlier version, is patched
    /// in place when nothing else holds it and the edits since are known and short: each
    /// writes what it inserted and moves the text after it once within the buffer (for a
    /// 10 MB document ~0.1 ms an edit, where a copy into fresh memory takes ~1 ms).
    /// Otherwise a copy.
    pub fn snapshot(&self, spare: Option<Spare>) -> SharedText {
        if let Some(Spare { version, mut text }) = spare {
            if let Some(buffer) = Arc::get_mut(&mut text) {
                if self.patch(buffer, version) {
                    return text;
                }
            }
        }
        Arc::new(self.text())
    }

    /// Brings `buffer`, the text at `version`, to this version. Edits close together (typing)
    /// are written as one, taking the text between their ends from the rope; edits far apart
    /// are replayed one by one, each from what its notification inserted. `false` when the
    /// edits are not all known, or do not fit `buffer`; `buffer` is then of no use.
    fn patch(&self, buffer: &mut String, version: i32) -> bool {
        if self.history.failed {
            return false; // the text moved without a version
        }
        if version != self.version {
            let Some(unchanged) = self.history.unchanged_since(version) else { return false };
            if let Some(between) = self.text_between(unchanged) {
                if !replace(buffer, unchanged, &between) {
                    return false;
                }
            } else {
                let Some(steps) = self.history.steps_since(version) else { return false };
                for step in steps.filter(|step| step.unchanged != Unchanged::ALL) {
                    match &step.inserted {
                        Some(inserted) if replace(buffer, step.unchanged, inserted) => {}
                        _ => return false,
                    }
                }
            }
        }
        buffer.len() == self.rope.len_bytes()
    }

    /// The text between the ends `unchanged` leaves, when it is short.
    fn text_between(&self, unchanged: Unchanged) -> Option<Box<str>> {
        let end = self.rope.len_bytes().checked_sub(unchanged.suffix)?;
        let between = self.rope.get_byte_slice(unchanged.prefix..end)?;
        (between.len_bytes() <= STEP_TEXT_MAX).then(|| String::from(between).into_boxed_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextChange {
        TextChange {
            range: Some((Position::new(sl, sc), Position::new(el, ec))),
            text: text.to_string(),
        }
    }

    #[test]
    fn utf16_edit_after_non_bmp_character() {
        let mut doc = Document::new("x😀y\nzz", 1, "plaintext");
        // UTF-16: x=0, 😀=1..3, y=3.
        doc.apply(&edit(0, 3, 0, 4, "Y"), PositionEncoding::Utf16).unwrap();
        assert_eq!(doc.text(), "x😀Y\nzz");
        doc.apply(&edit(0, 2, 1, 1, "-"), PositionEncoding::Utf8).unwrap();
        // UTF-8 column 2 is inside 😀: snaps to its start.
        assert_eq!(doc.text(), "x-z");
    }

    #[test]
    fn edits_across_crlf_and_full_replacement() {
        let mut doc = Document::new("ab\r\ncd\ref", 1, "text");
        doc.apply(&edit(0, 1, 2, 1, "X"), PositionEncoding::Utf32).unwrap();
        assert_eq!(doc.text(), "aXf");
        doc.apply(&TextChange { range: None, text: "new".into() }, PositionEncoding::Utf16)
            .unwrap();
        assert_eq!(doc.text(), "new");
        assert!(doc.apply(&edit(1, 0, 0, 0, ""), PositionEncoding::Utf16).is_err());
    }

    #[test]
    fn snapshot_holds_the_whole_text_across_many_chunks() {
        let text = "Oekraïne 😀 𝔘\n".repeat(5000);
        let mut doc = Document::new(&text, 1, "plaintext");
        assert!(doc.rope.chunks().count() > 10);
        assert_eq!(*doc.snapshot(None), text);
        doc.apply(&edit(3, 2, 3, 2, "x"), PositionEncoding::Utf16).unwrap();
        assert_eq!(*doc.snapshot(None), doc.text());
        assert_eq!(*Document::new("", 1, "plaintext").snapshot(None), "");
    }

    /// A spare buffer nothing else holds becomes the new version's text in place; one that
    /// something still reads is left alone, and so is one whose edits since are unknown.
    #[test]
    fn snapshot_patches_a_spare_only_when_it_alone_holds_it() {
        let mut doc = Document::new(&"Oekraïne 😀 𝔘\n".repeat(2000), 1, "plaintext");
        let first = doc.snapshot(None);
        let change = |line, text: &str| vec![edit(line, 9, line, 11, text)];
        doc.apply_all(2, &change(3, "x𝔘"), PositionEncoding::Utf16).unwrap();
        doc.apply_all(3, &change(1500, ""), PositionEncoding::Utf16).unwrap();

        let held = first.clone();
        let copied = doc.snapshot(Some(Spare { version: 1, text: held.clone() }));
        assert_eq!(*copied, doc.text());
        assert!(!Arc::ptr_eq(&copied, &first));
        assert_eq!(*held, *first, "a buffer still read elsewhere must not change");
        drop(held);

        let unknown = doc.snapshot(Some(Spare { version: 7, text: first.clone() }));
        assert_eq!(*unknown, doc.text());
        assert!(!Arc::ptr_eq(&unknown, &first));

        // A buffer with room to spare, which a fresh copy would not have: the patched text
        // is in it.
        let mut roomy = String::with_capacity(first.len() + 1000);
        roomy.push_str(&first);
        let capacity = roomy.capacity();
        drop(first);
        let patched = doc.snapshot(Some(Spare { version: 1, text: Arc::new(roomy) }));
        assert_eq!(*patched, doc.text());
        assert_eq!(patched.capacity(), capacity);
    }

    proptest::proptest! {
        /// Snapshots patched from the text of the version before the last, as the server
        /// keeps them, equal the document's text after any edits: several per notification,
        /// whole replacements, changes inside characters of two and four bytes, failed ones,
        /// and (with the long line between) edits far apart, which are replayed one by one.
        #[test]
        fn patched_snapshots_equal_the_text(
            start in "[aé😀𝔘\n]{0,40}",
            long_line in proptest::bool::ANY,
            notifications in proptest::collection::vec(
                proptest::collection::vec(
                    (0..4u32, 0..9u32, 0..4u32, 0..9u32, "[bï😀\n]{0,3}", 0..20u8), 0..3),
                1..12),
        ) {
            let text = match long_line {
                // Three lines: edits on the first and the last are far apart.
                true => {
                    let short = start.replace('\n', " ");
                    format!("{short}\n{}\n{short}", "ï".repeat(STEP_TEXT_MAX))
                }
                false => start,
            };
            let mut doc = Document::new(&text, 1, "plaintext");
            let mut recent: VecDeque<Spare> = VecDeque::new();
            for (i, changes) in notifications.into_iter().enumerate() {
                let changes: Vec<TextChange> = changes
                    .into_iter()
                    .map(|(sl, sc, el, ec, text, kind)| {
                        let (start, end) = ((sl, sc), (el, ec));
                        let (start, end) = (start.min(end), start.max(end));
                        match kind {
                            0 => TextChange { range: None, text },
                            1 => edit(end.0, end.1, start.0, start.1, &text), // fails
                            _ => edit(start.0, start.1, end.0, end.1, &text),
                        }
                    })
                    .collect();
                let _ = doc.apply_all(2 + i as i32, &changes, PositionEncoding::Utf16);
                let spare = (recent.len() == 2).then(|| recent.pop_front()).flatten();
                let text = doc.snapshot(spare);
                proptest::prop_assert_eq!(&*text, &doc.text());
                recent.push_back(Spare { version: doc.version, text });
            }
        }
    }

    /// The history, composed from any earlier version, leaves ends that the two texts share.
    #[test]
    fn history_gives_ends_both_versions_share() {
        let mut doc = Document::new("alpha beta\ngamma delta\nepsilon", 1, "plaintext");
        let mut texts = vec![(1, doc.text())];
        let notifications: Vec<Vec<TextChange>> = vec![
            vec![edit(0, 6, 0, 10, "BETA")],
            vec![edit(2, 0, 2, 0, "new "), edit(0, 0, 0, 1, "A")],
            vec![edit(1, 3, 1, 3, "\n")],
            vec![],
        ];
        for (i, changes) in notifications.iter().enumerate() {
            let version = 2 + 2 * i as i32; // versions need not increase by one
            doc.apply_all(version, changes, PositionEncoding::Utf16).unwrap();
            texts.push((version, doc.text()));
        }
        let now = doc.text();
        for (version, old) in &texts {
            let u = doc.unchanged_since(*version).expect("recorded");
            assert!(u.fits(old, &now), "v{version}: {u:?}");
            assert_eq!(old[..u.prefix], now[..u.prefix], "v{version}");
            assert_eq!(old[old.len() - u.suffix..], now[now.len() - u.suffix..], "v{version}");
        }
        // Exactly what one change left (the notification after it changed nothing): `\n`
        // typed at byte 14 of version 4's 34 bytes.
        let inserted = Unchanged { prefix: 14, suffix: 34 - 14 };
        assert_eq!((texts[2].1.len(), doc.unchanged_since(4)), (34, Some(inserted)));
        assert_eq!(doc.unchanged_since(6), Some(Unchanged { prefix: 35, suffix: 0 }));
        // The first edit was at byte 0 of version 2's text.
        assert_eq!(doc.unchanged_since(2).map(|u| u.prefix), Some(0));
        assert_eq!(doc.unchanged_since(3), None);
        // A whole new text, or a failed change, forgets the history.
        let whole = TextChange { range: None, text: "other".into() };
        doc.apply_all(20, &[whole], PositionEncoding::Utf16).unwrap();
        assert_eq!(doc.unchanged_since(8), None);
        doc.apply_all(21, &[edit(0, 0, 0, 0, "x")], PositionEncoding::Utf16).unwrap();
        assert!(doc.unchanged_since(20).is_some());
        assert!(doc.apply_all(22, &[edit(0, 2, 0, 1, "")], PositionEncoding::Utf16).is_err());
        assert_eq!((doc.version, doc.unchanged_since(20)), (21, None));
        // Nor is version 21's text known any more, before or after the next change.
        assert_eq!(doc.unchanged_since(21), None);
        doc.apply_all(23, &[edit(0, 0, 0, 0, "y")], PositionEncoding::Utf16).unwrap();
        assert_eq!(doc.unchanged_since(21), None);
        assert!(doc.unchanged_since(23).is_some());
    }
}
