//! Go's `defer` and `recover`, as the macros use them.
//!
//! In a function of a `goru! {}` block, every `defer!` belongs to the
//! function (Go's rule). The function body runs inside [`DeferFrame::run`]:
//!
//! * a `defer!` among the body's top-level statements becomes a
//!   [`DeferGuard`], a local that runs the deferred call when the body
//!   returns or unwinds. Its closure may borrow the body's locals, as a Go
//!   closure would;
//! * a `defer!` nested in a loop, branch or block cannot be a local of that
//!   inner scope (it would run when the scope ends), so its closure, which
//!   owns its captures, is queued on the frame with [`DeferFrame::later`].
//!   Each guard first runs the queued calls registered after it, and the
//!   frame runs the rest last, so the order is Go's: last registered, first
//!   run.
//!
//! Deferred calls run while the body unwinds, under `catch_unwind`, so a
//! panic in one of them replaces the current panic (Go's rule) instead of
//! aborting the process. `recover()` inside a deferred call stops the
//! current panic; the function then returns what a deferred block gave with
//! `return value`, else its result type's `Default` (Go's zero value).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::sched::fatal::install_panic_hook;
use crate::sched::locals::with_locals;

/// A panic stopped by [`recover`]: what Go's `recover()` returns.
///
/// Displays as the panic's message, the way Go prints a recovered value.
pub struct Recovered {
    message: String,
    payload: Option<Box<dyn Any + Send>>,
}

impl Recovered {
    /// The panic's message (`panic!("...")`'s text).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The panic's payload, when it was caught whole: a panic raised by a
    /// deferred call. A panic that was unwinding the function body is still
    /// in flight while deferred calls run, so only its message is known.
    pub fn payload(&self) -> Option<&(dyn Any + Send)> {
        self.payload.as_deref()
    }

    /// The payload as a `T`, if it is one (see [`Recovered::payload`]).
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.payload.as_deref().and_then(|p| p.downcast_ref())
    }

    /// The payload, or the message boxed as a `String`: pass it to
    /// `std::panic::resume_unwind` to panic again.
    pub fn into_payload(self) -> Box<dyn Any + Send> {
        self.payload.unwrap_or_else(|| Box::new(self.message))
    }
}

impl fmt::Display for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Recovered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Recovered").field(&self.message).finish()
    }
}

/// Go's `recover()`: inside a deferred call (`defer!`) of a function in a
/// `goru! {}` block, or of a function the deferred call calls, stops the
/// panic that is unwinding the function and returns it; the function then
/// returns normally. Returns `None` when no panic is in flight, or when
/// called anywhere else.
pub fn recover() -> Option<Recovered> {
    let frame = with_locals(|l| l.deferring.get()).cast::<PanicState>();
    if frame.is_null() {
        return None;
    }
    // SAFETY: `deferring` points at the `PanicState` of a frame whose
    // deferred call is running on this goroutine (set and restored around
    // that call by `PanicState::run_deferred`), so the frame is alive.
    unsafe { &*frame }.recover()
}

/// The panic a frame is dealing with.
enum Current {
    None,
    /// The body is unwinding from a panic with this message.
    Unwinding(String),
    /// A deferred call panicked with this payload (it replaces any panic
    /// before it, as in Go).
    Raised(Box<dyn Any + Send>),
}

struct PanicState {
    current: RefCell<Current>,
    /// The body's unwinding was noticed (so it is not noticed twice).
    unwinding_seen: Cell<bool>,
    /// `recover()` stopped a panic while the body was unwinding.
    body_panic_stopped: Cell<bool>,
    /// The goroutine's panic count when the frame was made: a deferred call
    /// that runs while the thread unwinds belongs to this body's unwinding
    /// only if a panic started since.
    panic_seq_at_start: u64,
}

impl PanicState {
    fn new() -> Self {
        install_panic_hook();
        PanicState {
            current: RefCell::new(Current::None),
            unwinding_seen: Cell::new(false),
            body_panic_stopped: Cell::new(false),
            panic_seq_at_start: with_locals(|l| l.panic_seq.get()),
        }
    }

    fn notice_unwinding(&self) {
        if self.unwinding_seen.get() || !std::thread::panicking() {
            return;
        }
        let (seq, message) = with_locals(|l| (l.panic_seq.get(), l.panic_message.borrow().clone()));
        if seq == self.panic_seq_at_start {
            // An outer frame is unwinding; this body returned normally.
            return;
        }
        self.unwinding_seen.set(true);
        let mut current = self.current.borrow_mut();
        if matches!(*current, Current::None) {
            *current = Current::Unwinding(message.unwrap_or_else(|| "(unknown panic)".into()));
        }
    }

    fn recover(&self) -> Option<Recovered> {
        let taken = std::mem::replace(&mut *self.current.borrow_mut(), Current::None);
        let recovered = match taken {
            Current::None => return None,
            Current::Unwinding(message) => Recovered {
                message,
                payload: None,
            },
            Current::Raised(payload) => Recovered {
                message: crate::sched::fatal::payload_message(&*payload),
                payload: Some(payload),
            },
        };
        if self.unwinding_seen.get() {
            self.body_panic_stopped.set(true);
        }
        Some(recovered)
    }

    /// Runs one deferred call with `recover()` pointed at this frame.
    fn run_deferred<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        self.notice_unwinding();
        let me = (self as *const PanicState).cast::<()>();
        let outer = with_locals(|l| l.deferring.replace(me));
        let out = catch_unwind(AssertUnwindSafe(f));
        with_locals(|l| l.deferring.set(outer));
        match out {
            Ok(v) => Some(v),
            Err(payload) => {
                *self.current.borrow_mut() = Current::Raised(payload);
                None
            }
        }
    }
}

type Deferred<'f, R> = Box<dyn FnOnce() -> Option<R> + 'f>;

/// The deferred calls of one function call (Go's defer record chain).
pub struct DeferFrame<'f, R> {
    panic: PanicState,
    later: RefCell<Vec<Deferred<'f, R>>>,
    /// A result given by `return value` in a deferred block.
    result: Cell<Option<R>>,
}

impl<R> fmt::Debug for DeferFrame<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeferFrame")
            .field("queued", &self.later.borrow().len())
            .finish()
    }
}

impl<R> Default for DeferFrame<'_, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'f, R> DeferFrame<'f, R> {
    pub fn new() -> Self {
        DeferFrame {
            panic: PanicState::new(),
            later: RefCell::new(Vec::new()),
            result: Cell::new(None),
        }
    }

    /// Runs the function body, then what is still deferred, and settles the
    /// outcome: the body's value (or one a deferred block returned), the
    /// zero value after a `recover()`, or the panic carried on.
    #[track_caller]
    pub fn run(&self, body: impl FnOnce() -> R, zero: fn() -> Option<R>) -> R {
        let out = catch_unwind(AssertUnwindSafe(body));
        self.run_later_from(0);
        let current = std::mem::replace(&mut *self.panic.current.borrow_mut(), Current::None);
        match (out, current) {
            (_, Current::Raised(payload)) => resume_unwind(payload),
            (Err(payload), _) if !self.panic.body_panic_stopped.get() => resume_unwind(payload),
            (Ok(v), _) => self.result.take().unwrap_or(v),
            (Err(_), _) => match self.result.take().or_else(zero) {
                Some(v) => v,
                None => panic!(
                    "goru: recover() stopped a panic, but this function's result type has no \
                     Default to return in its place (Go would return the zero value): \
                     write `return value` in the deferred block to choose the result"
                ),
            },
        }
    }

    /// Registers a deferred call made at the body's top level.
    pub fn guard<F: FnOnce() -> Option<R>>(&self, f: F) -> DeferGuard<'_, 'f, R, F> {
        DeferGuard {
            frame: self,
            mark: self.later.borrow().len(),
            call: Some(f),
        }
    }

    /// Registers a deferred call made in a nested scope; it runs when the
    /// function returns.
    pub fn later(&self, f: impl FnOnce() -> Option<R> + 'f) {
        self.later.borrow_mut().push(Box::new(f));
    }

    fn run_later_from(&self, mark: usize) {
        loop {
            let next = {
                let mut later = self.later.borrow_mut();
                if later.len() <= mark {
                    return;
                }
                later.pop()
            };
            if let Some(f) = next {
                self.run_one(f);
            }
        }
    }

    fn run_one(&self, f: impl FnOnce() -> Option<R>) {
        if let Some(Some(v)) = self.panic.run_deferred(f) {
            self.result.set(Some(v));
        }
    }
}

/// A deferred call registered at a function body's top level: runs when
/// the body returns or unwinds, after the calls deferred after it.
pub struct DeferGuard<'a, 'f, R, F: FnOnce() -> Option<R>> {
    frame: &'a DeferFrame<'f, R>,
    mark: usize,
    call: Option<F>,
}

impl<R, F: FnOnce() -> Option<R>> fmt::Debug for DeferGuard<'_, '_, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeferGuard")
    }
}

impl<R, F: FnOnce() -> Option<R>> Drop for DeferGuard<'_, '_, R, F> {
    fn drop(&mut self) {
        self.frame.run_later_from(self.mark);
        if let Some(f) = self.call.take() {
            self.frame.run_one(f);
        }
    }
}

/// `defer!` outside a `goru! {}` function: runs the call when the enclosing
/// block ends, also on panic (a scope guard). A panic in the deferred call
/// while the block unwinds is reported and dropped rather than aborting.
pub struct ScopeGuard<F: FnOnce()> {
    call: Option<F>,
}

impl<F: FnOnce()> fmt::Debug for ScopeGuard<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ScopeGuard")
    }
}

impl<F: FnOnce()> ScopeGuard<F> {
    pub fn new(call: F) -> Self {
        ScopeGuard { call: Some(call) }
    }
}

impl<F: FnOnce()> Drop for ScopeGuard<F> {
    fn drop(&mut self) {
        let Some(f) = self.call.take() else { return };
        if std::thread::panicking() {
            // A second panic escaping a destructor during unwinding would
            // abort the process; the first panic carries on instead.
            let _ = catch_unwind(AssertUnwindSafe(f));
        } else {
            f();
        }
    }
}

/// The value a function returns after `recover()`: `Default::default()`
/// when its result type has one. Chosen by autoref specialisation in the
/// expansion: `(&&ZeroValue::<R>::new()).zero_value()`.
pub struct ZeroValue<R>(std::marker::PhantomData<fn() -> R>);

impl<R> fmt::Debug for ZeroValue<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ZeroValue")
    }
}

impl<R> ZeroValue<R> {
    pub const fn new() -> Self {
        ZeroValue(std::marker::PhantomData)
    }
}

impl<R> Default for ZeroValue<R> {
    fn default() -> Self {
        Self::new()
    }
}

pub trait HasZeroValue<R> {
    fn zero_value(&self) -> fn() -> Option<R>;
}

impl<R: Default> HasZeroValue<R> for &ZeroValue<R> {
    fn zero_value(&self) -> fn() -> Option<R> {
        || Some(R::default())
    }
}

pub trait NoZeroValue<R> {
    fn zero_value(&self) -> fn() -> Option<R>;
}

impl<R> NoZeroValue<R> for ZeroValue<R> {
    fn zero_value(&self) -> fn() -> Option<R> {
        || None
    }
}
