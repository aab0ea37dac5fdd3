//! goru-runtime: the runtime behind goru. An M:N scheduler of stackful
//! goroutines on guarded, pooled stacks; Go's channels and select; timers on
//! the workers; a pool for blocking calls; Go's fatal errors.
//!
//! Layers, lowest first (each uses only those before it): `stack` → `sched`
//! → `chan` → `select` → `time` → `blocking`. Users normally depend on the
//! `goru` facade, which re-exports this crate.

#![deny(unsafe_op_in_unsafe_fn)]

mod blocking;
pub mod chan;
pub mod context;
pub mod errgroup;
mod lang;
pub mod net;
pub mod rate;
mod sched;
pub mod select;
pub mod stack;
pub mod sync;
pub mod time;
mod util;

pub use blocking::blocking;
pub use chan::{Chan, Receiver, SendError, Sender, TryRecvError, TrySendError};
pub use lang::defer::{Recovered, recover};
pub use sched::{
    Builder, DEFAULT_STACK_SIZE, JoinHandle, PanicMode, Runtime, WaitReason, go, run, spawn,
};
pub use stack::{GuardPages, StackError};

/// Go's `runtime` package: introspection and yielding.
///
/// | Go | goru |
/// |---|---|
/// | `runtime.Gosched()` | [`gosched`](crate::runtime::gosched) |
/// | `runtime.NumGoroutine()` | [`num_goroutine`](crate::runtime::num_goroutine) |
/// | `runtime.GOMAXPROCS(0)` | [`gomaxprocs`](crate::runtime::gomaxprocs) |
/// | `runtime.GOMAXPROCS(n)` | [`set_gomaxprocs`](crate::runtime::set_gomaxprocs) (capped at the runtime's worker count) |
/// | `runtime.Stack(buf, true)` | [`stack`](crate::runtime::stack) |
/// | SIGQUIT: goroutine dump, exit 2 | the same, while a runtime runs |
///
/// goru has no preemption; instead a stall monitor reports a goroutine that
/// holds its worker thread without yielding for longer than
/// `GORU_STALL_MS` (default 100 ms; see [`crate::Builder::stall_threshold`]).
pub mod runtime {
    pub use crate::sched::{gomaxprocs, gosched, num_goroutine, set_gomaxprocs, stack, stack_dump};
}

/// What goru's macros expand to. Not a stable API: reached only by
/// generated code, through the `goru` facade's `__private` module.
#[doc(hidden)]
pub mod __private {
    pub use crate::lang::defer::{
        DeferFrame, DeferGuard, HasZeroValue, NoZeroValue, ScopeGuard, ZeroValue,
    };
    pub use crate::lang::entry::{run_main, run_test};
    pub use crate::lang::ops::{Goroutine, GoroutineArg, Lang, RecvChan, SendChan};
}
