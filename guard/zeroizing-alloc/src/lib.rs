//! A global allocator that overwrites every block with zeros before it is freed (and the old
//! block of a `realloc` before it is released), so freed heap memory holds no copy of a secret.
//!
//! This is the one crate of lambda-guard that contains `unsafe` code: `GlobalAlloc` is an unsafe
//! trait. Everything else forbids it.
//!
//! ```
//! use lambda_guard_zeroizing_alloc::ZeroizingAlloc;
//!
//! #[global_allocator]
//! static ALLOC: ZeroizingAlloc = ZeroizingAlloc::system();
//!
//! let secret = String::from("wiped when freed");
//! drop(secret);
//! assert!(ZeroizingAlloc::is_enabled());
//! ```
//!
//! Wiping can be switched off and on at run time ([`ZeroizingAlloc::set_enabled`]); lambda-guard
//! switches it off when hygiene is off. Cost: one pass of zero stores over every freed block and
//! a copy on every `realloc` (the system allocator can no longer grow a block in place).
//!
//! Not covered: memory that is never freed (a buffer kept for reuse still holds what it last
//! held), stacks, and memory outside the heap.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    sync::atomic::{AtomicBool, Ordering},
};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Wraps an allocator (the system one by default) and zeroes blocks before freeing them.
#[derive(Debug, Default, Clone, Copy)]
pub struct ZeroizingAlloc<A = System> {
    inner: A,
}

impl ZeroizingAlloc<System> {
    /// Around the system allocator.
    pub const fn system() -> ZeroizingAlloc<System> {
        ZeroizingAlloc { inner: System }
    }
}

impl<A> ZeroizingAlloc<A> {
    /// Around `inner`.
    pub const fn new(inner: A) -> ZeroizingAlloc<A> {
        ZeroizingAlloc { inner }
    }
}

impl ZeroizingAlloc {
    /// Turns wiping on or off for the whole process (it is on from the start).
    pub fn set_enabled(on: bool) {
        ENABLED.store(on, Ordering::Relaxed);
    }

    /// Whether freed blocks are wiped.
    pub fn is_enabled() -> bool {
        ENABLED.load(Ordering::Relaxed)
    }
}

/// Zeroes `len` bytes at `ptr` in a way the optimiser cannot drop as a dead store before `free`.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes.
unsafe fn wipe(ptr: *mut u8, len: usize) {
    // SAFETY: the caller guarantees `ptr..ptr+len` is a live block it owns.
    unsafe { std::ptr::write_bytes(ptr, 0, len) };
    // The block is about to be freed, which makes the stores above dead to the optimiser; passing
    // the pointer to `black_box` makes the memory observable so they are kept.
    std::hint::black_box(ptr);
    std::sync::atomic::compiler_fence(Ordering::SeqCst);
}

// SAFETY: every method forwards to `inner` with the same layouts it was given; `realloc` is
// implemented as alloc + copy + dealloc of blocks obtained from `inner` with matching layouts.
unsafe impl<A: GlobalAlloc> GlobalAlloc for ZeroizingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.inner.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.inner.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ENABLED.load(Ordering::Relaxed) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes (GlobalAlloc contract).
            unsafe { wipe(ptr, layout.size()) };
        }
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ENABLED.load(Ordering::Relaxed) {
            // SAFETY: forwarded with the caller's guarantees.
            return unsafe { self.inner.realloc(ptr, layout, new_size) };
        }
        // SAFETY: the GlobalAlloc contract guarantees `new_size`, rounded up to `layout.align()`,
        // does not overflow `isize`, so this layout is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has a non-zero size (the contract requires `new_size > 0`).
        let new = unsafe { self.inner.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live, distinct, and at least `min` bytes long; the old one
            // is wiped and freed with the layout it was allocated with.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                wipe(ptr, layout.size());
                self.inner.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realloc_keeps_contents() {
        let a = ZeroizingAlloc::system();
        let layout = Layout::from_size_align(16, 8).unwrap();
        // SAFETY: a fresh 16-byte block, grown to 64 bytes, then freed with its new layout.
        unsafe {
            let p = a.alloc(layout);
            assert!(!p.is_null());
            std::ptr::write_bytes(p, 7, 16);
            let q = a.realloc(p, layout, 64);
            assert!(!q.is_null());
            assert!((0..16).all(|i| *q.add(i) == 7));
            a.dealloc(q, Layout::from_size_align(64, 8).unwrap());
        }
    }
}
