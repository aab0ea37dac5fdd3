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
    message = "invalid operation: cannot send to non-channel `{Self}`",
    label = "not a channel: `<-` sends to a `Chan<T>` or a `Sender<T>`"
)]
pub trait SendChan {
    type Item: Send;
    fn raw_send(&self) -> RawChan<'_, Self::Item>;
}

/// A channel that can be received from: `Chan<T>` and `Receiver<T>`.
#[diagnostic::on_unimplemented(
    message = "invalid operation: cannot receive from non-channel `{Self}`",
    label = "not a channel: `<-` receives from a `Chan<T>` or a `Receiver<T>`"
)]
pub trait RecvChan {
    type Item: Send;
    fn raw_recv(&self) -> RawChan<'_, Self::Item>;
}

/// Never implemented: makes `<-` on a `Receiver` name the direction. Its
/// `Self` is `()` and the channel a parameter, so that rustc, seeing
/// different types in the failing bound and in `SendChan`'s, shows this
/// message rather than `SendChan`'s.
#[diagnostic::on_unimplemented(
    message = "invalid operation: cannot send to receive-only channel `{C}`",
    label = "receive-only channel (Go's `<-chan T`)",
    note = "send to the `Chan<T>`, or to a `Sender<T>` from `Chan::sender()`"
)]
pub trait SendOnReceiveOnly<C: ?Sized> {}

/// Never implemented: makes `<-` on a `Sender` name the direction (`Self`
/// is `()` for the reason given at [`SendOnReceiveOnly`]).
#[diagnostic::on_unimplemented(
    message = "invalid operation: cannot receive from send-only channel `{C}`",
    label = "send-only channel (Go's `chan<- T`)",
    note = "receive from the `Chan<T>`, or from a `Receiver<T>` from `Chan::receiver()`"
)]
pub trait ReceiveOnSendOnly<C: ?Sized> {}

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
    (): SendOnReceiveOnly<Receiver<T>>,
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
    (): ReceiveOnSendOnly<Sender<T>>,
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

// `Option<C>` is a channel that may be nil: `None` behaves as Go's nil
// channel (blocks forever, never ready in select). This is what a receive
// of a channel gives (`<-<-chch`: a closed `chch` yields a nil channel, as
// Go's zero value does), and it is the idiom for switching a select arm
// off (Go sets the channel variable to nil).
impl<C: SendChan> SendChan for Option<C> {
    type Item = C::Item;
    #[inline]
    fn raw_send(&self) -> RawChan<'_, C::Item> {
        match self {
            Some(c) => c.raw_send(),
            None => RawChan(None),
        }
    }
}

impl<C: RecvChan> RecvChan for Option<C> {
    type Item = C::Item;
    #[inline]
    fn raw_recv(&self) -> RawChan<'_, C::Item> {
        match self {
            Some(c) => c.raw_recv(),
            None => RawChan(None),
        }
    }
}

/// What a goroutine may capture: it can run on another thread, for as long
/// as it likes.
#[diagnostic::on_unimplemented(
    message = "this goroutine captures a value that cannot be sent to another goroutine",
    label = "`go!` moves what it uses into a new goroutine, which may run on another thread",
    note = "a goroutine may only capture `Send` values: use `Arc` instead of `Rc`, and a \
            `Chan` or `std::sync::Mutex` instead of `RefCell`/`Cell`"
)]
pub trait Goroutine: FnOnce() + Send + 'static {}
impl<F: FnOnce() + Send + 'static> Goroutine for F {}

/// An argument of `go!(f(args))`, evaluated now and moved into the goroutine.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent to another goroutine",
    label = "this argument is moved into the new goroutine, which may run on another thread",
    note = "goroutine arguments must be `Send`: use `Arc` instead of `Rc`, and a `Chan` or \
            `std::sync::Mutex` instead of `RefCell`/`Cell`"
)]
pub trait GoroutineArg: Send {}
impl<T: Send> GoroutineArg for T {}

/// What the macros call. Generated code names these as
/// `<$crate::__private::Lang>::recv(..)`: the call then starts with a token
/// spanned in the user's code, which makes `#[track_caller]` report the
/// user's line (see the macro crate's `Cx::runtime_fn`).
#[derive(Debug)]
pub struct Lang;

// The channel operations take the element type as a parameter of its own
// (`T`, bound by `Item = T`) rather than `C::Item` in the signature: when
// the operand is not a channel, rustc then reports the missing trait once
// instead of a second time for the unnormalizable `C::Item`.
impl Lang {
    /// `ch <- v`: sends, panicking "send on closed channel" like Go.
    #[track_caller]
    #[inline]
    pub fn send<T: Send, C: SendChan<Item = T> + ?Sized>(ch: &C, v: T) {
        if ch.raw_send().send_at(v, Location::caller()).is_err() {
            panic!("send on closed channel");
        }
    }

    /// `<-ch`: receives; `None` once the channel is closed and drained.
    #[track_caller]
    #[inline]
    pub fn recv<T: Send, C: RecvChan<Item = T> + ?Sized>(ch: &C) -> Option<T> {
        ch.raw_recv().recv_at(Location::caller())
    }

    /// A `v = <-ch` / `<-ch` arm of `select!`.
    #[inline]
    pub fn recv_case<T: Send, C: RecvChan<Item = T> + ?Sized>(ch: &C) -> RecvCase<'_, T> {
        RecvCase::new(ch.raw_recv())
    }

    /// A `ch <- v` arm of `select!`.
    #[inline]
    pub fn send_case<T: Send, C: SendChan<Item = T> + ?Sized>(ch: &C, v: T) -> SendCase<'_, T> {
        SendCase::new(ch.raw_send(), v)
    }

    /// `select!` with arms: the runtime's select engine.
    #[track_caller]
    #[inline]
    pub fn select(cases: &mut [crate::select::Case<'_>], has_default: bool) -> Option<usize> {
        crate::select::select(cases, has_default)
    }

    /// `select! {}` with no arms: blocks forever, as Go's empty select does.
    #[track_caller]
    pub fn block_forever() -> ! {
        crate::select::select(&mut [], false);
        unreachable!("an empty select never returns")
    }

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

    #[track_caller]
    pub fn run_main<F, T>(main: F) -> std::process::ExitCode
    where
        F: FnOnce() -> T + Send + 'static,
        T: std::process::Termination,
    {
        super::entry::run_main(main)
    }

    #[track_caller]
    pub fn run_test<F, T>(test: F)
    where
        F: FnOnce() -> T + Send + 'static,
        T: std::process::Termination,
    {
        super::entry::run_test(test)
    }
}
