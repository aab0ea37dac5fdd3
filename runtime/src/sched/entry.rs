//! A goroutine's code, stored in its task record: small closures (the usual
//! few captured handles) inline, larger ones boxed. One allocation per
//! goroutine instead of two matters because the record is allocated on the
//! spawner's thread and usually finished on another.

use std::mem::{MaybeUninit, align_of, size_of};

type Inline = [usize; 6];

pub(crate) struct Entry {
    kind: Kind,
}

enum Kind {
    Empty,
    Inline {
        data: MaybeUninit<Inline>,
        /// Reads the closure out of `data` and runs it.
        run: unsafe fn(*mut Inline),
        /// Drops the closure in `data` without running it.
        drop: unsafe fn(*mut Inline),
    },
    Boxed(Box<dyn FnOnce() + Send>),
}

/// # Safety
/// `p` holds an initialised `F`, which this moves out of it.
unsafe fn run_inline<F: FnOnce()>(p: *mut Inline) {
    // SAFETY: forwarded contract; alignment and size checked in `Entry::new`.
    let f = unsafe { p.cast::<F>().read() };
    f();
}

/// # Safety
/// `p` holds an initialised `F`, which this drops.
unsafe fn drop_inline<F>(p: *mut Inline) {
    // SAFETY: forwarded contract.
    unsafe { p.cast::<F>().drop_in_place() };
}

impl Entry {
    pub(crate) fn new<F: FnOnce() + Send + 'static>(f: F) -> Entry {
        if size_of::<F>() <= size_of::<Inline>() && align_of::<F>() <= align_of::<Inline>() {
            let mut data = MaybeUninit::<Inline>::uninit();
            // SAFETY: `data` is large and aligned enough for F (checked above).
            unsafe { data.as_mut_ptr().cast::<F>().write(f) };
            Entry {
                kind: Kind::Inline {
                    data,
                    run: run_inline::<F>,
                    drop: drop_inline::<F>,
                },
            }
        } else {
            Entry {
                kind: Kind::Boxed(Box::new(f)),
            }
        }
    }

    /// Runs the code, leaving the entry empty.
    pub(crate) fn run(&mut self) {
        match std::mem::replace(&mut self.kind, Kind::Empty) {
            Kind::Empty => {}
            Kind::Inline { mut data, run, .. } => {
                // SAFETY: `data` holds the closure `run` was made for, and it
                // is consumed exactly once: `self` is already Empty.
                unsafe { run(data.as_mut_ptr()) }
            }
            Kind::Boxed(f) => f(),
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Kind::Inline { data, drop, .. } = &mut self.kind {
            // SAFETY: a non-empty inline entry holds its closure, never run.
            unsafe { drop(data.as_mut_ptr()) }
        }
    }
}
