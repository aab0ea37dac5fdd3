//! A worker's inbox: started goroutines woken by other threads are pushed
//! here, since only their home worker may resume them. Lock-free
//! multi-producer, single-consumer: producers push onto an intrusive stack
//! (the `inbox_next` link in the task), the owner takes the whole stack at
//! once and reverses it, so there is no ABA problem and no allocation.

use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering};

use super::task::{Task, TaskRef};

#[derive(Debug)]
pub(crate) struct Inbox {
    head: AtomicPtr<Task>,
}

impl Inbox {
    pub(crate) fn new() -> Self {
        Inbox {
            head: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    pub(crate) fn push(&self, task: TaskRef) {
        let node = Arc::into_raw(task).cast_mut();
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: `node` is a live task we own a reference to; nobody else
            // touches its link while it is being pushed.
            unsafe { (*node).inbox_next.store(head, Ordering::Relaxed) };
            match self
                .head
                .compare_exchange_weak(head, node, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(h) => head = h,
            }
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.load(Ordering::Relaxed).is_null()
    }

    /// Takes everything, oldest first, appending to `out`.
    pub(crate) fn drain_into(&self, out: &mut std::collections::VecDeque<TaskRef>) {
        let mut node = self.head.swap(std::ptr::null_mut(), Ordering::Acquire);
        let start = out.len();
        while !node.is_null() {
            // SAFETY: every node was produced by `Arc::into_raw` in `push` and
            // is owned by the inbox until taken here, exactly once.
            let task = unsafe { Arc::from_raw(node) };
            node = task.inbox_next.load(Ordering::Relaxed);
            out.push_back(task);
        }
        // The stack is newest first: reverse what we appended.
        out.make_contiguous()[start..].reverse();
    }
}

impl Inbox {
    /// Drops everything in it.
    pub(crate) fn clear(&self) {
        let mut node = self.head.swap(std::ptr::null_mut(), Ordering::Acquire);
        while !node.is_null() {
            // SAFETY: as in `drain_into`.
            let task = unsafe { Arc::from_raw(node) };
            node = task.inbox_next.load(Ordering::Relaxed);
        }
    }
}

impl Drop for Inbox {
    fn drop(&mut self) {
        let mut sink = std::collections::VecDeque::new();
        self.drain_into(&mut sink);
    }
}
