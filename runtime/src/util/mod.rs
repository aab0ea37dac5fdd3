//! Small building blocks shared by every layer: a futex, a raw lock, a fast
//! per-thread random number generator, the runtime's monotonic clock, and
//! the primitives (std's, or loom's under `--cfg loom`) the core is built on.

pub(crate) mod clock;
pub(crate) mod futex;
pub(crate) mod lock;
pub(crate) mod prim;
pub(crate) mod rand;
