//! Go's channel operators and `go` statement, as the macros expand them:
//! `ch <- v` is [`send`], `<-ch` is [`recv`], a `select!` arm is a
//! [`recv_case`] or [`send_case`], `go!` is [`go`]. The traits here carry
//! the compile errors a Go programmer expects (direction, non-channel,
//! goroutine captures) in those words.

use std::panic::Location;

use crate::chan::{Chan, RawChan, Receiver, Sender};
use crate::select::{RecvCase, SendCase};

/// A channel that can be sent on: `Chan<T>` and `Sender<T>`.
#[diagnostic::on_unimplemented(
    message = "cannot send on `{Self}`: it is not a channel that can send",
    label = "`<-` sends only on a `Chan<T>` or a `Sender<T>`",
    note = "a `Receiver<T>` is receive-only, like Go's `<-chan T`"
)]
pub trait SendChan {
    type Item: Send;
    fn raw_send(&self) -> RawChan<'_, Self::Item>;
}

/// A channel that can be received from: `Chan<T>` and `Receiver<T>`.
#[diagnostic::on_unimplemented(
    message = "cannot receive from `{Self}`: it is not a channel that can receive",
    label = "`<-` receives only from a `Chan<T>` or a `Receiver<T>`",
    note = "a `Sender<T>` is send-only, like Go's `chan<- T`"
)]
pub trait RecvChan {
    type Item: Send;
    fn raw_recv(&self) -> RawChan<'_, Self::Item>;
}

/// Never implemented: makes `<-` on a `Receiver` name the direction.
#[diagnostic::on_unimplemented(
    message = "invalid operation: cannot send on receive-only channel `{Self}`",
    label = "receive-only channel (Go's `<-chan T`)",
    note = "send on the `Chan<T>` or on a `Sender<T>` from `Chan::sender()`"
)]
pub trait SendOnReceiveOnly {}

/// Never implemented: makes `<-` on a `Sender` name the direction.
#[diagnostic::on_unimplemented(
    message = "invalid operation: cannot receive from send-only channel `{Self}`",
    label = "send-only channel (Go's `chan<- T`)",
    note = "receive from the `Chan<T>` or from a `Receiver<T>` from `Chan::receiver()`"
)]
pub trait ReceiveOnSendOnly {}

impl<T: Send> SendChan for Chan<T> {
    type Item = T;
    #[inline]
    fn raw_send(&self) -> RawChan<'_, T> {
        self.raw()
    }
}

impl<T: Send> SendChan for Sender<T> {
    type Item = T;
    #[inline]
    fn raw_send(&self) -> RawChan<'_, T> {
        self.raw()
    }
}

impl<T: Send> SendChan for Receiver<T>
where
    Receiver<T>: SendOnReceiveOnly,
{
    type Item = T;
    fn raw_send(&self) -> RawChan<'_, T> {
        unreachable!("SendOnReceiveOnly is never implemented")
    }
}

impl<T: Send> RecvChan for Chan<T> {
    type Item = T;
    #[inline]
    fn raw_recv(&self) -> RawChan<'_, T> {
        self.raw()
    }
}

impl<T: Send> RecvChan for Receiver<T> {
    type Item = T;
    #[inline]
    fn raw_recv(&self) -> RawChan<'_, T> {
        self.raw()
    }
}

impl<T: Send> RecvChan for Sender<T>
where
    Sender<T>: ReceiveOnSendOnly,
{
    type Item = T;
    fn raw_recv(&self) -> RawChan<'_, T> {
        unreachable!("ReceiveOnSendOnly is never implemented")
    }
}

impl<C: SendChan + ?Sized> SendChan for &C {
    type Item = C::Item;
    #[inline]
    fn raw_send(&self) -> RawChan<'_, C::Item> {
        (**self).raw_send()
    }
}

impl<C: RecvChan + ?Sized> RecvChan for &C {
    type Item = C::Item;
    #[inline]
    fn raw_recv(&self) -> RawChan<'_, C::Item> {
        (**self).raw_recv()
    }
}

impl<C: SendChan + ?Sized> SendChan for &mut C {
    type Item = C::Item;
    #[inline]
    fn raw_send(&self) -> RawChan<'_, C::Item> {
        (**self).raw_send()
    }
}

impl<C: RecvChan + ?Sized> RecvChan for &mut C {
    type Item = C::Item;
    #[inline]
    fn raw_recv(&self) -> RawChan<'_, C::Item> {
        (**self).raw_recv()
    }
}

/// `ch <- v`: sends, panicking "send on closed channel" like Go.
#[track_caller]
#[inline]
pub fn send<C: SendChan + ?Sized>(ch: &C, v: C::Item) {
    if ch.raw_send().send_at(v, Location::caller()).is_err() {
        panic!("send on closed channel");
    }
}

/// `<-ch`: receives; `None` once the channel is closed and drained.
#[track_caller]
#[inline]
pub fn recv<C: RecvChan + ?Sized>(ch: &C) -> Option<C::Item> {
    ch.raw_recv().recv_at(Location::caller())
}

/// A `v = <-ch` / `<-ch` arm of `select!`.
#[inline]
pub fn recv_case<C: RecvChan + ?Sized>(ch: &C) -> RecvCase<'_, C::Item> {
    RecvCase::new(ch.raw_recv())
}

/// A `ch <- v` arm of `select!`.
#[inline]
pub fn send_case<C: SendChan + ?Sized>(ch: &C, v: C::Item) -> SendCase<'_, C::Item> {
    SendCase::new(ch.raw_send(), v)
}

/// What a goroutine may capture: it can run on another thread, for as long
/// as it likes.
#[diagnostic::on_unimplemented(
    message = "this goroutine captures a value that cannot be sent to another goroutine",
    label = "`go!` moves what it uses into a new goroutine, which may run on another thread",
    note = "a goroutine may only capture `Send` values: use `Arc` instead of `Rc`, a goru \
            `Mutex` or `Chan` instead of `RefCell`/`Cell`"
)]
pub trait Goroutine: FnOnce() + Send + 'static {}
impl<F: FnOnce() + Send + 'static> Goroutine for F {}

/// An argument of `go!(f(args))`, evaluated now and moved into the goroutine.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to another goroutine",
    label = "this argument is moved into the new goroutine, which may run on another thread",
    note = "goroutine arguments must be `Send`: use `Arc` instead of `Rc`, a goru `Mutex` or \
            `Chan` instead of `RefCell`/`Cell`"
)]
pub trait GoroutineArg: Send {}
impl<T: Send> GoroutineArg for T {}

/// Checks a `go!` argument where it is written, for a pointed error.
#[inline(always)]
pub fn goroutine_arg<T: GoroutineArg>(v: T) -> T {
    v
}

/// `go!`: starts the goroutine.
#[track_caller]
#[inline]
pub fn go<F: Goroutine>(f: F) {
    crate::sched::go(f)
}

/// `select! {}` with no arms: blocks forever, as Go's empty select does.
#[track_caller]
pub fn block_forever() -> ! {
    crate::select::select(&mut [], false);
    unreachable!("an empty select never returns")
}
