//! Go's channels: `Chan<T>` (a `chan T` value), its send-only and
//! receive-only views `Sender<T>` and `Receiver<T>`, and nil channels.
//!
//! All handles are cheap clones of one channel; dropping them never closes
//! it (Go has no such thing either). Operations park the calling goroutine,
//! or block the calling thread outside the runtime.

mod hchan;
#[cfg(all(test, loom))]
mod loom_tests;
mod ring;
pub(crate) mod waitq;

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

pub(crate) use hchan::{Hchan, RecvAttempt, SendAttempt, Slot, Wakes};

use crate::sched::WaitReason;
use crate::sched::parking::Parking;

/// The error of [`Chan::send`] on a closed channel; holds the value back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}
impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("send on closed channel")
    }
}
impl<T> std::error::Error for SendError<T> {}

/// The error of [`Chan::try_send`]; holds the value back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// No receiver waiting and no room in the buffer.
    Full(T),
    /// The channel is closed.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}
impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}
impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("channel full (no receiver ready)"),
            TrySendError::Closed(_) => f.write_str("send on closed channel"),
        }
    }
}
impl<T> std::error::Error for TrySendError<T> {}

/// The error of [`Chan::try_recv`].
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// No value ready and no sender waiting.
    Empty,
    /// Closed and drained.
    Closed,
}
impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty (no sender ready)"),
            TryRecvError::Closed => f.write_str("channel closed"),
        }
    }
}
impl std::error::Error for TryRecvError {}

/// A borrowed view of a channel for the select engine: nil or a live one.
#[doc(hidden)]
pub struct RawChan<'a, T>(pub(crate) Option<&'a Hchan<T>>);

impl<T> fmt::Debug for RawChan<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "RawChan"
        } else {
            "RawChan(nil)"
        })
    }
}

impl<T: Send> RawChan<'_, T> {
    /// Sends with `at` as the blocked-at location of the goroutine dump.
    pub(crate) fn send_at(self, v: T, at: &'static Location<'static>) -> Result<(), SendError<T>> {
        match self.0 {
            Some(c) => c.send(v, at).map_err(SendError),
            None => block_forever(WaitReason::ChanSendNilChan, at),
        }
    }
    /// Receives with `at` as the blocked-at location of the goroutine dump.
    pub(crate) fn recv_at(self, at: &'static Location<'static>) -> Option<T> {
        match self.0 {
            Some(c) => c.recv(at),
            None => block_forever(WaitReason::ChanReceiveNilChan, at),
        }
    }
}

/// Never implemented: closing a receive-only channel does not compile, as
/// in Go.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "invalid operation: cannot close receive-only channel `{Self}`",
    label = "receive-only channel (Go's `<-chan T`)",
    note = "only the sending side closes a channel: close the `Chan<T>` or a `Sender<T>`"
)]
pub trait CloseOfReceiveOnly {}

macro_rules! common_methods {
    () => {
        /// Values buffered now (Go's `len(ch)`).
        pub fn len(&self) -> usize {
            self.inner.as_ref().map_or(0, |c| c.len())
        }
        /// Whether no value is buffered now.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
        /// Buffer capacity (Go's `cap(ch)`); 0 for unbuffered and nil.
        pub fn cap(&self) -> usize {
            self.inner.as_ref().map_or(0, |c| c.cap())
        }
        /// Whether this is a nil channel.
        pub fn is_nil(&self) -> bool {
            self.inner.is_none()
        }
        /// Whether the channel has been closed.
        pub fn is_closed(&self) -> bool {
            self.inner.as_ref().is_some_and(|c| c.is_closed())
        }
        #[doc(hidden)]
        pub fn raw(&self) -> RawChan<'_, T> {
            RawChan(self.inner.as_deref())
        }
    };
}

macro_rules! send_methods {
    () => {
        /// Sends `v`, parking until a receiver takes it or there is room in
        /// the buffer. On a closed channel (or one closed while waiting),
        /// gives the value back; the `<-` operator panics there instead, as
        /// Go does. On a nil channel, blocks forever.
        #[track_caller]
        pub fn send(&self, v: T) -> Result<(), SendError<T>> {
            let at = Location::caller();
            match &self.inner {
                Some(c) => c.send(v, at).map_err(SendError),
                None => block_forever(WaitReason::ChanSendNilChan, at),
            }
        }
        /// Sends `v` only if that needs no waiting (Go's select with default).
        pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
            match &self.inner {
                Some(c) => match c.try_send(v) {
                    SendAttempt::Done(_) => Ok(()),
                    SendAttempt::Full(v) => Err(TrySendError::Full(v)),
                    SendAttempt::Closed(v) => Err(TrySendError::Closed(v)),
                },
                None => Err(TrySendError::Full(v)),
            }
        }
        /// Closes the channel: receivers drain what is buffered, then get
        /// `None`. Panics "close of closed channel" or "close of nil channel",
        /// as Go does.
        #[track_caller]
        pub fn close(&self) {
            match &self.inner {
                Some(c) => c.close(),
                None => panic!("close of nil channel"),
            }
        }
    };
}

macro_rules! recv_methods {
    () => {
        /// Receives a value, parking until one is ready; `None` once the
        /// channel is closed and drained (Go's `v, ok := <-ch`). On a nil
        /// channel, blocks forever.
        #[track_caller]
        pub fn recv(&self) -> Option<T> {
            let at = Location::caller();
            match &self.inner {
                Some(c) => c.recv(at),
                None => block_forever(WaitReason::ChanReceiveNilChan, at),
            }
        }
        /// Receives only if a value is ready now.
        pub fn try_recv(&self) -> Result<T, TryRecvError> {
            match &self.inner {
                Some(c) => match c.try_recv() {
                    RecvAttempt::Done(Some(v), _) => Ok(v),
                    RecvAttempt::Done(None, _) => Err(TryRecvError::Closed),
                    RecvAttempt::WouldBlock => Err(TryRecvError::Empty),
                },
                None => Err(TryRecvError::Empty),
            }
        }
        /// Iterates over received values until the channel is closed and
        /// drained (Go's `for v := range ch`).
        pub fn iter(&self) -> Iter<'_, T> {
            Iter {
                inner: self.inner.as_deref(),
            }
        }
    };
}

/// A channel (Go's `chan T`): a cloneable handle; clones are the same
/// channel. `Chan::new(0)` is unbuffered (a rendezvous), `Chan::new(n)`
/// buffers `n` values, `Chan::nil()` is Go's nil channel.
pub struct Chan<T> {
    inner: Option<Arc<Hchan<T>>>,
}

/// The send-only view of a channel (Go's `chan<- T`).
pub struct Sender<T> {
    inner: Option<Arc<Hchan<T>>>,
}

/// The receive-only view of a channel (Go's `<-chan T`).
pub struct Receiver<T> {
    inner: Option<Arc<Hchan<T>>>,
}

impl<T: Send> Chan<T> {
    /// `make(chan T, cap)`: unbuffered when `cap` is 0.
    pub fn new(cap: usize) -> Self {
        Chan {
            inner: Some(Arc::new(Hchan::new(cap))),
        }
    }
    /// `make(chan T)`.
    pub fn unbuffered() -> Self {
        Self::new(0)
    }
    /// The send-only view of this channel.
    pub fn sender(&self) -> Sender<T> {
        Sender {
            inner: self.inner.clone(),
        }
    }
    /// The receive-only view of this channel.
    pub fn receiver(&self) -> Receiver<T> {
        Receiver {
            inner: self.inner.clone(),
        }
    }
    common_methods!();
    send_methods!();
    recv_methods!();
}

impl<T> Chan<T> {
    /// Go's nil channel: sends and receives block forever, it is never
    /// ready in select, and closing it panics.
    pub const fn nil() -> Self {
        Chan { inner: None }
    }
}

impl<T: Send> Sender<T> {
    common_methods!();
    send_methods!();
}
impl<T> Sender<T> {
    /// A nil send-only channel.
    pub const fn nil() -> Self {
        Sender { inner: None }
    }
}

impl<T: Send> Receiver<T> {
    common_methods!();
    recv_methods!();
}
impl<T> Receiver<T> {
    /// Does not compile: only the sending side closes a channel (Go:
    /// "cannot close receive-only channel").
    pub fn close(&self)
    where
        Receiver<T>: CloseOfReceiveOnly,
    {
        unreachable!("CloseOfReceiveOnly is never implemented")
    }
    /// A nil receive-only channel.
    pub const fn nil() -> Self {
        Receiver { inner: None }
    }
}

macro_rules! handle_traits {
    ($t:ident) => {
        impl<T> Clone for $t<T> {
            fn clone(&self) -> Self {
                $t {
                    inner: self.inner.clone(),
                }
            }
        }
        impl<T> Default for $t<T> {
            /// The nil channel, as Go's zero value.
            fn default() -> Self {
                $t { inner: None }
            }
        }
        /// Same channel, like Go's `==` on channels.
        impl<T> PartialEq for $t<T> {
            fn eq(&self, other: &Self) -> bool {
                match (&self.inner, &other.inner) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    (None, None) => true,
                    _ => false,
                }
            }
        }
        impl<T> Eq for $t<T> {}
        impl<T> fmt::Debug for $t<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match &self.inner {
                    Some(c) => write!(
                        f,
                        "{}({:p}, cap {})",
                        stringify!($t),
                        Arc::as_ptr(c),
                        c.cap()
                    ),
                    None => write!(f, "{}(nil)", stringify!($t)),
                }
            }
        }
    };
}
// A channel stays consistent if a panic unwinds through code using it: its
// lock is never held across user code or a panic.
impl<T> std::panic::UnwindSafe for Chan<T> {}
impl<T> std::panic::RefUnwindSafe for Chan<T> {}
impl<T> std::panic::UnwindSafe for Sender<T> {}
impl<T> std::panic::RefUnwindSafe for Sender<T> {}
impl<T> std::panic::UnwindSafe for Receiver<T> {}
impl<T> std::panic::RefUnwindSafe for Receiver<T> {}

handle_traits!(Chan);
handle_traits!(Sender);
handle_traits!(Receiver);

impl<T> From<Chan<T>> for Sender<T> {
    fn from(c: Chan<T>) -> Self {
        Sender { inner: c.inner }
    }
}
impl<T> From<Chan<T>> for Receiver<T> {
    fn from(c: Chan<T>) -> Self {
        Receiver { inner: c.inner }
    }
}

/// Values received until the channel is closed and drained.
pub struct Iter<'a, T> {
    inner: Option<&'a Hchan<T>>,
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Iter")
    }
}

impl<T: Send> Iterator for Iter<'_, T> {
    type Item = T;
    #[track_caller]
    fn next(&mut self) -> Option<T> {
        let at = Location::caller();
        match self.inner {
            Some(c) => c.recv(at),
            None => block_forever(WaitReason::ChanReceiveNilChan, at),
        }
    }
}

/// Values received until the channel is closed and drained, owning the handle.
pub struct IntoIter<T> {
    inner: Option<Arc<Hchan<T>>>,
}

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IntoIter")
    }
}

impl<T: Send> Iterator for IntoIter<T> {
    type Item = T;
    #[track_caller]
    fn next(&mut self) -> Option<T> {
        let at = Location::caller();
        match &self.inner {
            Some(c) => c.recv(at),
            None => block_forever(WaitReason::ChanReceiveNilChan, at),
        }
    }
}

macro_rules! into_iter {
    ($t:ident) => {
        impl<'a, T: Send> IntoIterator for &'a $t<T> {
            type Item = T;
            type IntoIter = Iter<'a, T>;
            fn into_iter(self) -> Iter<'a, T> {
                Iter {
                    inner: self.inner.as_deref(),
                }
            }
        }
        impl<T: Send> IntoIterator for $t<T> {
            type Item = T;
            type IntoIter = IntoIter<T>;
            fn into_iter(self) -> IntoIter<T> {
                IntoIter { inner: self.inner }
            }
        }
    };
}
into_iter!(Chan);
into_iter!(Receiver);

/// Parks forever (nil channel operations, empty select), as Go does; the
/// deadlock detector reports it if nothing else can run.
pub(crate) fn block_forever(reason: WaitReason, at: &'static Location<'static>) -> ! {
    Parking::for_current().park_forever(reason, at)
}
