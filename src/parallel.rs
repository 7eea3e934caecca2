//! Data parallelism for the analysis core: the same function over many independent items
//! (documents, pages) on all cores, results in input order.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

thread_local! {
    /// Set on the threads [`map`] starts: a `map` inside one runs on that thread (the cores
    /// are busy with the outer one's items already; more threads would only contend).
    static IN_MAP: Cell<bool> = const { Cell::new(false) };
}

/// `f` applied to every item, on up to `available_parallelism` threads. Threads take the next
/// unclaimed item as they finish one, so one large item does not hold up a static share of the
/// others. A panic in `f` is re-raised in the caller.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads().min(items.len());
    if threads <= 1 || IN_MAP.with(Cell::get) {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        IN_MAP.with(|in_map| in_map.set(true));
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        for handle in handles {
            let done = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, r) in done {
                slots[i] = Some(r);
            }
        }
    });
    slots.into_iter().flatten().collect()
}

/// [`map`] for work of `bytes` of text: on one thread below `PARALLEL_MIN_BYTES`, where starting
/// threads costs more than it saves.
pub fn map_text<T: Sync, R: Send>(bytes: usize, items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_text_from(PARALLEL_MIN_BYTES, bytes, items, f)
}

/// [`map_text`] for work that is worth spreading from `min_bytes` of text on.
pub fn map_text_from<T: Sync, R: Send>(
    min_bytes: usize,
    bytes: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if bytes >= min_bytes {
        map(items, f)
    } else {
        items.iter().map(f).collect()
    }
}

/// How many threads [`map`] uses at most.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Texts at least this large are worth spreading over cores.
pub const PARALLEL_MIN_BYTES: usize = 128 * 1024;

/// Pages at least this large together are worth decoding on all cores: the column decoder
/// takes about 0.2 ms of a core per kilobyte, and starting a thread a few hundredths of a
/// millisecond. (Under [`PARALLEL_MIN_BYTES`], a new 100 KB document took 20 ms on one core.)
pub const PAGES_PARALLEL_MIN_BYTES: usize = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        let out = map(&items, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(map(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn a_map_inside_a_map_stays_on_its_thread() {
        let outer: Vec<u32> = (0..8).collect();
        let threads_inside = map(&outer, |_| {
            let inner: Vec<u32> = (0..8).collect();
            let here = std::thread::current().id();
            map(&inner, |_| std::thread::current().id() == here).into_iter().all(|same| same)
        });
        assert!(threads_inside.into_iter().all(|same| same));
    }

    #[test]
    #[should_panic(expected = "item 7")]
    fn reraises_panics() {
        let items: Vec<u32> = (0..20).collect();
        map(&items, |&x| if x == 7 { panic!("item 7") } else { x });
    }
}
