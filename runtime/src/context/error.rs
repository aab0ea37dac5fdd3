//! The errors a context reports: Go's `context.Canceled` and
//! `context.DeadlineExceeded`, and the cause type of `context.Cause`.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// Why a context is done: what [`Context::err`](super::Context::err)
/// returns once it is (Go's `ctx.Err()`).
///
/// Go: the sentinel errors `context.Canceled` and
/// `context.DeadlineExceeded`; `errors.Is(err, context.Canceled)` is
/// `err == ContextError::Canceled`. The `Display` text is Go's, word for word.
///
/// ```
/// use goru::context::{self, ContextError};
///
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// cancel.cancel();
/// assert_eq!(ctx.err(), Some(ContextError::Canceled));
/// assert_eq!(ContextError::Canceled.to_string(), "context canceled");
/// assert_eq!(
///     ContextError::DeadlineExceeded.to_string(),
///     "context deadline exceeded"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextError {
    /// The context was cancelled (Go's `context.Canceled`).
    Canceled,
    /// The context's deadline passed (Go's `context.DeadlineExceeded`).
    DeadlineExceeded,
}

impl ContextError {
    /// Whether this is a timeout: true for `DeadlineExceeded`, as Go's
    /// `DeadlineExceeded.Timeout()` (what `net.Error` callers check).
    ///
    /// ```
    /// use goru::context::ContextError;
    /// assert!(ContextError::DeadlineExceeded.is_timeout());
    /// assert!(!ContextError::Canceled.is_timeout());
    /// ```
    pub fn is_timeout(self) -> bool {
        self == ContextError::DeadlineExceeded
    }
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
            ContextError::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl Error for ContextError {}

/// Why a context was cancelled, as reported by [`cause`](super::cause)
/// (Go's `context.Cause(ctx)`): the error given to a
/// [`CancelCauseFunc`](super::CancelCauseFunc) or a `*_cause` deadline, or
/// else the context's own [`ContextError`]. A shared error object, so every
/// context below the cancelled one reports the same cause; downcast it with
/// `cause.downcast_ref::<MyError>()` (Go's `errors.As`).
///
/// ```
/// use goru::context::{self, Cause, ContextError};
///
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// cancel.cancel();
/// let cause: Cause = context::cause(&ctx).unwrap();
/// assert_eq!(cause.downcast_ref::<ContextError>(), Some(&ContextError::Canceled));
/// ```
pub type Cause = Arc<dyn Error + Send + Sync + 'static>;
