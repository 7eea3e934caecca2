//! Large allocations on transparent huge pages, where the kernel gives them on request
//! (`/sys/kernel/mm/transparent_hugepage/enabled` set to `madvise`, as on Debian).
//!
//! A workspace's language model is tables of megabytes read at random: with 4 KB pages nearly
//! every lookup also missed the TLB. Blocks of 4 MB or more are advised to use 2 MB pages
//! (`madvise(MADV_HUGEPAGE)` on the whole huge pages inside them); allocating, growing and
//! freeing stay the system allocator's. The advice changes no contents and may be ignored.

use std::alloc::{GlobalAlloc, Layout, System};

pub struct HugePageAlloc;

const HUGE_PAGE: usize = 2 << 20;

/// Only a block this large surely holds a whole, aligned huge page.
const ADVISED_FROM: usize = 2 * HUGE_PAGE;

/// The whole huge pages inside the block at `ptr` of `size` bytes, as (start, length).
fn huge_pages_inside(ptr: usize, size: usize) -> Option<(usize, usize)> {
    if size < ADVISED_FROM {
        return None;
    }
    let start = ptr.checked_next_multiple_of(HUGE_PAGE)?;
    let end = ptr.checked_add(size)? / HUGE_PAGE * HUGE_PAGE;
    (end > start).then(|| (start, end - start))
}

fn advise(ptr: *mut u8, size: usize) {
    if ptr.is_null() {
        return;
    }
    #[cfg(target_os = "linux")]
    if let Some((start, len)) = huge_pages_inside(ptr as usize, size) {
        // SAFETY: the range is whole pages inside the block just allocated; the advice changes
        // no contents, and a failure (no huge pages here) leaves the pages as they were.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
}

// SAFETY: every call is passed on to `System` unchanged; `advise` only adds advice on memory
// the block owns.
unsafe impl GlobalAlloc for HugePageAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let ptr = unsafe { System.alloc(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        advise(ptr, layout.size());
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc`, passed on.
        let grown = unsafe { System.realloc(ptr, layout, new_size) };
        if new_size > layout.size() {
            advise(grown, new_size);
        }
        grown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_huge_pages_inside_a_large_block_are_advised() {
        assert_eq!(huge_pages_inside(0, ADVISED_FROM - 1), None);
        assert_eq!(huge_pages_inside(0, ADVISED_FROM), Some((0, ADVISED_FROM)));
        // An unaligned block of 4 MB holds one whole huge page.
        assert_eq!(huge_pages_inside(16, ADVISED_FROM), Some((HUGE_PAGE, HUGE_PAGE)));
        assert_eq!(
            huge_pages_inside(HUGE_PAGE - 1, 3 * HUGE_PAGE + 1),
            Some((HUGE_PAGE, 3 * HUGE_PAGE))
        );
        assert_eq!(huge_pages_inside(usize::MAX - 8, ADVISED_FROM), None);
    }

    #[test]
    fn blocks_keep_their_contents_through_growing_and_shrinking() {
        let alloc = HugePageAlloc;
        for size in [64, ADVISED_FROM - 1, ADVISED_FROM, 3 * ADVISED_FROM + 5] {
            let layout = Layout::from_size_align(size, 8).expect("layout");
            // SAFETY: non-zero sizes; each block is freed once with the layout it has.
            unsafe {
                let ptr = alloc.alloc_zeroed(layout);
                assert!(!ptr.is_null());
                assert!((0..size).step_by(4093).all(|i| *ptr.add(i) == 0));
                for i in (0..size).step_by(4093) {
                    *ptr.add(i) = (i % 251) as u8;
                }
                let grown = alloc.realloc(ptr, layout, size * 2);
                assert!(!grown.is_null());
                assert!((0..size).step_by(4093).all(|i| *grown.add(i) == (i % 251) as u8));
                let bigger = Layout::from_size_align(size * 2, 8).expect("layout");
                let shrunk = alloc.realloc(grown, bigger, size / 2 + 1);
                assert!((0..size / 2).step_by(4093).all(|i| *shrunk.add(i) == (i % 251) as u8));
                alloc.dealloc(shrunk, Layout::from_size_align(size / 2 + 1, 8).expect("layout"));
            }
        }
    }
}
