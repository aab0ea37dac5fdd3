//! Small building blocks shared by every layer: a futex, a raw lock, a fast
//! per-thread random number generator and the runtime's monotonic clock.

pub(crate) mod clock;
pub(crate) mod futex;
pub(crate) mod lock;
pub(crate) mod rand;
