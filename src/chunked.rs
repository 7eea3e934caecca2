//! A list kept in shared chunks, for the per-paragraph lists of a document's analysis: the next
//! version of a document replaces the few items an edit touched and shares every other chunk,
//! so an edit costs the chunks it touches plus one pointer per chunk, not one per item.
//!
//! Items that hold buffer offsets (a paragraph, a chunk of findings) move with the text behind
//! an edit: a chunk records how far its items have moved since they were made (`delta`), and
//! reading an item of a moved chunk gives a moved copy ([`Shift`]).

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// Items per chunk when a list is made or a touched region is cut again: small enough that
/// rebuilding the chunks an edit touches is cheap, large enough that a 10 MB document's
/// paragraphs make a few hundred chunks.
const CHUNK: usize = 64;

/// An item that can be moved `delta` bytes through the buffer.
pub trait Shift: Clone {
    fn shifted(&self, delta: isize) -> Self;
}

/// An ordered list of `T` in shared chunks (see the module docs). Cloning it clones one
/// pointer per chunk.
pub struct ChunkedList<T> {
    chunks: Vec<Chunk<T>>,
    /// How many items the chunks up to and including each hold.
    ends: Vec<usize>,
}

struct Chunk<T> {
    items: Arc<[T]>,
    /// How far the items have moved since they were made.
    delta: isize,
}

impl<T> Clone for Chunk<T> {
    fn clone(&self) -> Self {
        Chunk { items: self.items.clone(), delta: self.delta }
    }
}

impl<T> Clone for ChunkedList<T> {
    fn clone(&self) -> Self {
        ChunkedList { chunks: self.chunks.clone(), ends: self.ends.clone() }
    }
}

impl<T> Default for ChunkedList<T> {
    fn default() -> Self {
        ChunkedList { chunks: Vec::new(), ends: Vec::new() }
    }
}

/// An item as it lies now: borrowed where its chunk has not moved, a moved copy where it has.
fn placed<T: Shift>(item: &T, delta: isize) -> Cow<'_, T> {
    match delta {
        0 => Cow::Borrowed(item),
        _ => Cow::Owned(item.shifted(delta)),
    }
}

impl<T: Shift> ChunkedList<T> {
    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The chunk holding item `i`, and where that chunk starts.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        let chunk = self.ends.partition_point(|&end| end <= i);
        self.chunks.get(chunk)?;
        Some((chunk, self.chunk_start(chunk)))
    }

    fn chunk_start(&self, chunk: usize) -> usize {
        chunk.checked_sub(1).map_or(0, |c| self.ends[c])
    }

    pub fn get(&self, i: usize) -> Option<Cow<'_, T>> {
        let (chunk, start) = self.locate(i)?;
        let chunk = &self.chunks[chunk];
        Some(placed(chunk.items.get(i - start)?, chunk.delta))
    }

    /// Item `i` as it was made, and how far it has moved since: borrowed for as long as the
    /// list lives (items that hold no buffer offsets never move).
    pub fn stored_at(&self, i: usize) -> Option<(&T, isize)> {
        let (chunk, start) = self.locate(i)?;
        let chunk = &self.chunks[chunk];
        Some((chunk.items.get(i - start)?, chunk.delta))
    }

    pub fn iter(&self) -> Iter<'_, T> {
        Iter { chunks: self.chunks.iter(), items: [].iter(), delta: 0 }
    }

    /// How many items (as they lie now) come before the first for which `pred` is false,
    /// when it holds for a run of items from the start: a binary search over the chunks'
    /// last items, then within one chunk.
    pub fn partition_point(&self, pred: impl Fn(&T) -> bool) -> usize {
        let holds = |item: &T, delta: isize| pred(&placed(item, delta));
        let chunk = self
            .chunks
            .partition_point(|c| c.items.last().is_some_and(|last| holds(last, c.delta)));
        match self.chunks.get(chunk) {
            Some(c) => self.chunk_start(chunk) + c.items.partition_point(|i| holds(i, c.delta)),
            None => self.len(),
        }
    }

    /// Items `range` (clamped to the list).
    pub fn range(&self, range: Range<usize>) -> impl Iterator<Item = Cow<'_, T>> + '_ {
        self.range_runs(range)
            .flat_map(|(items, delta)| items.iter().map(move |item| placed(item, delta)))
    }

    /// Items `range` (clamped to the list) as stored, run by run, with how far each run moved.
    fn range_runs(&self, range: Range<usize>) -> impl Iterator<Item = (&[T], isize)> + '_ {
        let end = range.end.min(self.len());
        let start = range.start.min(end);
        let first = self.locate(start).map_or(self.chunks.len(), |(chunk, _)| chunk);
        let mut at = self.chunk_start(first);
        self.chunks[first..].iter().map_while(move |chunk| {
            let from = at;
            at += chunk.items.len();
            let items = || &chunk.items[start.max(from) - from..end.min(at) - from];
            (from < end).then(|| (items(), chunk.delta))
        })
    }

    /// The items chunk by chunk, as stored, with how far each chunk has moved: for loops over
    /// every item that read a field or two and need no moved copies.
    pub fn runs(&self) -> impl Iterator<Item = (&[T], isize)> + '_ {
        self.chunks.iter().map(|chunk| (&chunk.items[..], chunk.delta))
    }

    /// Where two versions of a list can differ: the items of `self` and of `other` (by index)
    /// between the chunks both share at the start and at the end (the same items as stored,
    /// however far they have moved since). After an edit, the chunks it rebuilt.
    pub fn unshared(&self, other: &ChunkedList<T>) -> (Range<usize>, Range<usize>) {
        let same = |(a, b): &(&Chunk<T>, &Chunk<T>)| Arc::ptr_eq(&a.items, &b.items);
        let front = self.chunks.iter().zip(&other.chunks).take_while(same).count();
        let (a, b) = (&self.chunks[front..], &other.chunks[front..]);
        let back = a.iter().rev().zip(b.iter().rev()).take_while(same).count();
        let start = self.chunk_start(front);
        let end = |list: &ChunkedList<T>| list.chunk_start(list.chunks.len() - back);
        (start..end(self), start..end(other))
    }

    /// Items `range` as they were made (for items that hold no buffer offsets, or to compare
    /// what they hold besides).
    pub fn stored(&self, range: Range<usize>) -> impl Iterator<Item = &T> + '_ {
        self.range_runs(range).flat_map(|(items, _)| items.iter())
    }

    /// This list with items `range` replaced by `new` (which lie where they are), and the items
    /// after it moved by `delta`. Costs the chunks that hold `range` and one pointer for every
    /// other chunk.
    pub fn splice(&self, range: Range<usize>, new: Vec<T>, delta: isize) -> ChunkedList<T> {
        let len = self.len();
        let (start, end) = (range.start.min(len), range.end.clamp(range.start.min(len), len));
        // The chunks to cut again: from the one holding `start` (the last, when appending)
        // through the one holding the last item replaced.
        let first = match self.locate(start) {
            Some((chunk, _)) => chunk,
            None => self.chunks.len().saturating_sub(1),
        };
        let mut last = match end > start {
            true => self.locate(end - 1).map_or(first, |(chunk, _)| chunk),
            false => first,
        };
        let mut recut: Vec<T> = Vec::new();
        if let Some(chunk) = self.chunks.get(first) {
            let from = self.chunk_start(first);
            recut.extend(
                chunk.items[..start - from].iter().map(|i| placed(i, chunk.delta).into_owned()),
            );
        }
        recut.extend(new);
        let mut at = self.chunk_start(first);
        for chunk in self.chunks.iter().take(last + 1).skip(first) {
            let from = at;
            at += chunk.items.len();
            let kept = &chunk.items[(end.max(from) - from).min(chunk.items.len())..];
            let moved = chunk.delta + delta;
            recut.extend(kept.iter().map(|item| placed(item, moved).into_owned()));
        }
        // A small remainder joins the next chunk, so that deletions leave no trail of tiny
        // chunks.
        while recut.len() < CHUNK / 2 && last + 1 < self.chunks.len() {
            last += 1;
            let chunk = &self.chunks[last];
            let moved = chunk.delta + delta;
            recut.extend(chunk.items.iter().map(|i| placed(i, moved).into_owned()));
        }
        let mut out = ChunkedList::default();
        for chunk in &self.chunks[..first.min(self.chunks.len())] {
            out.push_chunk(chunk.clone());
        }
        out.push_items(recut);
        for chunk in self.chunks.iter().skip(last + 1) {
            out.push_chunk(Chunk { items: chunk.items.clone(), delta: chunk.delta + delta });
        }
        out
    }

    fn push_chunk(&mut self, chunk: Chunk<T>) {
        if !chunk.items.is_empty() {
            self.ends.push(self.len() + chunk.items.len());
            self.chunks.push(chunk);
        }
    }

    /// `items` as new chunks: one when they fit in two, else chunks of [`CHUNK`].
    fn push_items(&mut self, items: Vec<T>) {
        if items.len() <= 2 * CHUNK {
            self.push_chunk(Chunk { items: items.into(), delta: 0 });
            return;
        }
        let mut items = items.into_iter();
        loop {
            let part: Arc<[T]> = items.by_ref().take(CHUNK).collect();
            if part.is_empty() {
                break;
            }
            self.push_chunk(Chunk { items: part, delta: 0 });
        }
    }
}

/// The items of a [`ChunkedList`] in order, as they lie now.
pub struct Iter<'a, T> {
    chunks: std::slice::Iter<'a, Chunk<T>>,
    items: std::slice::Iter<'a, T>,
    delta: isize,
}

impl<'a, T: Shift> Iterator for Iter<'a, T> {
    type Item = Cow<'a, T>;

    fn next(&mut self) -> Option<Cow<'a, T>> {
        loop {
            if let Some(item) = self.items.next() {
                return Some(placed(item, self.delta));
            }
            let chunk = self.chunks.next()?;
            self.items = chunk.items.iter();
            self.delta = chunk.delta;
        }
    }
}

impl<'a, T: Shift> IntoIterator for &'a ChunkedList<T> {
    type Item = Cow<'a, T>;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Shift> From<Vec<T>> for ChunkedList<T> {
    fn from(items: Vec<T>) -> Self {
        let mut list = ChunkedList::default();
        list.push_items(items);
        list
    }
}

impl<T: Shift> FromIterator<T> for ChunkedList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Self::from(items.into_iter().collect::<Vec<T>>())
    }
}

impl<T: Shift + PartialEq> PartialEq for ChunkedList<T> {
    /// Equal items in order, however the two lists are cut into chunks.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<T: Shift + fmt::Debug> fmt::Debug for ChunkedList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Items without buffer offsets: moving them leaves them as they are.
macro_rules! unmoved {
    ($($t:ty),*) => {
        $(impl Shift for $t {
            fn shifted(&self, _: isize) -> Self {
                self.clone()
            }
        })*
    };
}

unmoved!(u32);

impl<T: ?Sized> Shift for Arc<T> {
    /// What an `Arc` holds is shared between versions, and so holds no buffer offsets.
    fn shifted(&self, _: isize) -> Self {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A buffer offset, for testing how items move.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct At(usize);

    impl Shift for At {
        fn shifted(&self, delta: isize) -> Self {
            At(self.0.saturating_add_signed(delta))
        }
    }

    fn list(n: usize) -> ChunkedList<At> {
        (0..n).map(|i| At(i * 10)).collect()
    }

    fn items(list: &ChunkedList<At>) -> Vec<usize> {
        list.iter().map(|a| a.0).collect()
    }

    /// The splice of a plain `Vec`, for comparison.
    fn spliced(old: &[usize], range: Range<usize>, new: &[usize], delta: isize) -> Vec<usize> {
        let mut out = old[..range.start].to_vec();
        out.extend(new);
        out.extend(old[range.end..].iter().map(|&x| x.saturating_add_signed(delta)));
        out
    }

    #[test]
    fn splices_like_a_vec_and_shares_untouched_chunks() {
        let old = list(1000);
        let expected = items(&old);
        let new = old.splice(500..502, vec![At(5001), At(5002), At(5003)], 7);
        // The chunk that held the edit; the chunks after it moved, but share their items.
        assert_eq!(old.unshared(&new), (448..512, 448..513));
        assert_eq!(items(&new), spliced(&expected, 500..502, &[5001, 5002, 5003], 7));
        assert_eq!(new.len(), 1001);
        // Only the chunk holding the edit is new.
        let shared = new
            .chunks
            .iter()
            .filter(|c| old.chunks.iter().any(|o| Arc::ptr_eq(&c.items, &o.items)));
        assert_eq!(shared.count(), new.chunks.len() - 1);
        assert_eq!(new.get(1000).map(|a| a.0), Some(9990 + 7));
        assert_eq!(new.get(1001), None);
        assert_eq!(
            new.range(499..504).map(|a| a.0).collect::<Vec<_>>(),
            [4990, 5001, 5002, 5003, 5027]
        );
    }

    #[test]
    fn many_edits_in_one_place_and_everywhere_keep_order_and_size() {
        let mut list = list(300);
        let mut plain = items(&list);
        let mut seed = 17usize;
        for round in 0..2000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = plain.len();
            let at = if round % 3 == 0 { len / 2 } else { (seed >> 33) % (len + 1) };
            let remove = (seed >> 20) % 4;
            let end = (at + remove).min(len);
            let added: Vec<usize> = (0..(seed >> 8) % 4).map(|k| at * 10 + k).collect();
            let delta = (seed >> 40) as isize % 5 - 2;
            list = list.splice(at..end, added.iter().map(|&x| At(x)).collect(), delta);
            plain = spliced(&plain, at..end, &added, delta);
            assert_eq!(items(&list), plain, "round {round}");
        }
        // Chunks neither grow without bound nor fall apart into crumbs.
        assert!(list.chunks.iter().all(|c| c.items.len() <= 3 * CHUNK));
        assert!(list.chunks.len() <= plain.len() / (CHUNK / 4) + 2, "{} chunks", list.chunks.len());
    }

    #[test]
    fn two_versions_differ_only_in_the_chunks_they_do_not_share() {
        let old = list(1000);
        let new = old.splice(300..301, vec![At(3001), At(3002)], 1);
        // The chunk that held item 300 (the chunks after it moved, but hold the same items).
        assert_eq!(old.unshared(&new), (256..320, 256..321));
        let (a, b) = old.unshared(&new);
        let changed = old.stored(a).zip(new.stored(b)).filter(|(x, y)| x != y).count();
        assert_eq!(changed, 320 - 300);
        let (a, b) = old.unshared(&old.clone());
        assert!(a.is_empty() && b.is_empty());
        // Two lists cut apart: everything differs.
        assert_eq!(list(100).unshared(&list(100)), (0..100, 0..100));
        // A deletion that took the small rest along into the next chunk.
        let shrunk = old.splice(0..60, Vec::new(), 0);
        assert_eq!(old.unshared(&shrunk), (0..128, 0..68));
    }

    #[test]
    fn edges_empty_lists_appends_and_ranges() {
        let empty = ChunkedList::<At>::default();
        assert!(empty.is_empty() && empty.get(0).is_none());
        let one = empty.splice(0..0, vec![At(1)], 5);
        assert_eq!(items(&one), [1]);
        let appended = list(130).splice(130..130, vec![At(7)], 3);
        assert_eq!(appended.get(130).map(|a| a.0), Some(7));
        let cleared = list(130).splice(0..130, Vec::new(), 0);
        assert!(cleared.is_empty());
        assert_eq!(list(5).range(3..99).count(), 2);
        assert_eq!(list(5).range(9..99).count(), 0);
        assert_eq!(
            list(200),
            list(100).splice(100..100, (100..200).map(|i| At(i * 10)).collect(), 0)
        );
        // Binary search over moved items: 0, 10, 20 … with the items from 500 on moved by 3.
        let moved = list(1000).splice(500..500, Vec::new(), 3);
        assert_eq!(moved.partition_point(|a| a.0 < 4990), 499);
        assert_eq!(moved.partition_point(|a| a.0 <= 5002), 500);
        assert_eq!(moved.partition_point(|a| a.0 <= 5003), 501);
        assert_eq!((moved.partition_point(|_| true), moved.partition_point(|_| false)), (1000, 0));
        assert_eq!(ChunkedList::<At>::default().partition_point(|_| true), 0);
    }
}
