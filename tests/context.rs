//! Go's context package: cancellation reaching every goroutine blocked on
//! `done()`, propagation down (never up) the tree, deadlines in order,
//! values, causes, and nothing left behind (registry entries, timers,
//! goroutines) once contexts are cancelled, expired or dropped.
//!
//! No test asserts how fast anything is. The timeout tests use deadlines
//! 100 ms apart and assert only their order.

mod common;

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use common::{wait_parked, wait_until};
use goru::context::{self, Context, ContextError};
use goru::prelude::*;
use goru::sync::WaitGroup;

use ContextError::{Canceled, DeadlineExceeded};

const HOUR: Duration = Duration::from_secs(3600);

/// In long loops: lets the other goroutines of the worker run now and
/// then, as a long computation in a goroutine should (goru does not preempt).
fn yield_now_and_then(i: usize) {
    if i % 1000 == 999 {
        goru::runtime::gosched();
    }
}

/// Whether `ctx.done()` is ready now, without waiting.
fn is_done(ctx: &Context) -> bool {
    match ctx.done().try_recv() {
        Err(goru::TryRecvError::Closed) => true,
        Err(goru::TryRecvError::Empty) => false,
        Ok(()) => unreachable!("nothing is ever sent on done()"),
    }
}

#[derive(Debug, PartialEq)]
struct User(&'static str);

#[derive(Debug, PartialEq)]
struct RequestId(u64);

#[derive(Debug)]
struct Overloaded;

impl std::fmt::Display for Overloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("server overloaded")
    }
}
impl Error for Overloaded {}

goru! {
    // ---- the roots ----

    #[goru::test]
    fn background_and_todo_are_never_done() {
        for ctx in [context::background(), context::todo(), Context::default()] {
            assert_eq!(ctx.err(), None);
            assert_eq!(ctx.deadline(), None);
            assert!(ctx.cause().is_none());
            assert!(ctx.done().is_nil(), "Go's Background().Done() is nil");
            assert_eq!(ctx.value::<User>(), None);
            select! {
                <-ctx.done() => panic!("a nil done channel is never ready"),
                default => {}
            }
        }
        assert_eq!(context::background().to_string(), "context.Background");
        assert_eq!(context::todo().to_string(), "context.TODO");
    }

    // ---- errors ----

    #[goru::test]
    fn err_display_strings_equal_gos() {
        assert_eq!(Canceled.to_string(), "context canceled");
        assert_eq!(DeadlineExceeded.to_string(), "context deadline exceeded");
        let boxed: Box<dyn Error + Send + Sync> = Box::new(DeadlineExceeded);
        assert_eq!(boxed.to_string(), "context deadline exceeded");
        assert!(DeadlineExceeded.is_timeout() && !Canceled.is_timeout());

        let (ctx, cancel) = context::with_cancel(&context::background());
        cancel.cancel();
        assert_eq!(ctx.err().unwrap().to_string(), "context canceled");
        assert_eq!(context::cause(&ctx).unwrap().to_string(), "context canceled");

        let (ctx, _cancel) = context::with_timeout(&context::background(), ms(1));
        <-ctx.done();
        assert_eq!(ctx.err().unwrap().to_string(), "context deadline exceeded");
        assert_eq!(context::cause(&ctx).unwrap().to_string(), "context deadline exceeded");
    }

    // ---- cancellation ----

    #[goru::test]
    fn cancel_closes_done_once_and_for_all() {
        let (ctx, cancel) = context::with_cancel(&context::background());
        let done = ctx.done();
        assert_eq!(ctx.done(), done, "done() is the same channel every time");
        assert!(!is_done(&ctx));
        assert_eq!(ctx.err(), None);

        let canceller = cancel.clone();
        go!(canceller.cancel());
        assert_eq!(<-done, None, "done() is closed, never sent on");
        assert_eq!(ctx.err(), Some(Canceled));
        cancel.cancel(); // again: no effect, no panic
        assert_eq!(ctx.err(), Some(Canceled));
        assert_eq!(ctx.to_string(), "context.Background.WithCancel");
    }

    #[goru::test]
    fn done_asked_for_after_cancel_is_closed() {
        let (ctx, cancel) = context::with_cancel(&context::background());
        cancel.cancel();
        assert!(is_done(&ctx));
        select! {
            <-ctx.done() => {}
            default => panic!("done() of a cancelled context is ready"),
        }
    }

    #[goru::test]
    fn cancel_reaches_10_000_goroutines_blocked_in_select() {
        const N: usize = 10_000;
        let (ctx, cancel) = context::with_cancel(&context::background());
        let work = chan![u32]; // never sent on: they can only leave through done()
        let woke = Arc::new(AtomicUsize::new(0));
        let wg = WaitGroup::new();
        for _ in 0..N {
            wg.add(1);
            let (ctx, work, woke, wg) = (ctx.clone(), work.receiver(), woke.clone(), wg.clone());
            go! {
                select! {
                    <-ctx.done() => {
                        assert_eq!(ctx.err(), Some(Canceled));
                        woke.fetch_add(1, SeqCst);
                    }
                    v = <-work => panic!("nothing is sent on work, got {v:?}"),
                }
                wg.done();
            };
        }
        wait_parked("select", N);
        assert_eq!(woke.load(SeqCst), 0);
        cancel.cancel();
        wg.wait();
        assert_eq!(woke.load(SeqCst), N);
    }

    #[goru::test]
    fn parent_cancel_propagates_to_grandchildren() {
        let (root, cancel_root) = context::with_cancel(&context::background());
        let (child, _c1) = context::with_cancel(&root);
        let valued = context::with_value(&child, User("gopher")); // a value node in between
        let (grandchild, _c2) = context::with_timeout(&valued, HOUR);
        let (great, _c3) = context::with_cancel_cause(&grandchild);
        let (other_root, cancel_other) = context::with_cancel(&context::background());
        let (unrelated, _c4) = context::with_cancel(&other_root);

        // Goroutines blocked on the deepest ones see it.
        let seen = chan![ContextError; 2];
        for ctx in [grandchild.clone(), great.clone()] {
            let seen = seen.sender();
            go! {
                <-ctx.done();
                seen <- ctx.err().unwrap();
            };
        }
        cancel_root.cancel();
        assert_eq!(<-seen, Some(Canceled));
        assert_eq!(<-seen, Some(Canceled));
        for ctx in [&root, &child, &valued, &grandchild, &great] {
            assert!(is_done(ctx), "{ctx} is done");
            assert_eq!(ctx.err(), Some(Canceled));
        }
        assert!(!is_done(&other_root) && !is_done(&unrelated));
        assert_eq!(unrelated.err(), None);
        cancel_other.cancel();
    }

    #[goru::test]
    fn child_cancel_does_not_affect_parent_or_siblings() {
        let (parent, cancel_parent) = context::with_cancel(&context::background());
        let (child, cancel_child) = context::with_cancel(&parent);
        let (sibling, _cancel_sibling) = context::with_cancel(&parent);
        let (nephew, _c) = context::with_cancel(&sibling);
        cancel_child.cancel();
        assert_eq!(child.err(), Some(Canceled));
        for ctx in [&parent, &sibling, &nephew] {
            assert_eq!(ctx.err(), None);
            assert!(!is_done(ctx));
        }
        assert_eq!(parent.registered_children(), 1, "the cancelled child left");
        cancel_parent.cancel();
        assert_eq!(nephew.err(), Some(Canceled));
    }

    #[goru::test]
    fn child_of_a_done_parent_is_done_at_once() {
        let (parent, cancel) = context::with_cancel_cause(&context::background());
        cancel.cancel(Overloaded);
        let (child, _c1) = context::with_cancel(&parent);
        let (timed, _c2) = context::with_timeout(&parent, HOUR);
        let (caused, _c3) = context::with_cancel_cause(&parent);
        for ctx in [&child, &timed, &caused] {
            assert!(is_done(ctx));
            assert_eq!(ctx.err(), Some(Canceled), "the parent's error, not its own");
            let cause = context::cause(ctx).unwrap();
            assert!(cause.downcast_ref::<Overloaded>().is_some(), "the parent's cause");
        }
        assert_eq!(parent.registered_children(), 0, "never registered");
    }

    // ---- deadlines ----

    #[goru::test]
    fn with_timeout_fires_after_a_shorter_sibling_and_before_a_longer_one() {
        let parent = context::background();
        let (short, c1) = context::with_timeout(&parent, ms(100));
        let (middle, c2) = context::with_timeout(&parent, ms(200));
        let (long, c3) = context::with_timeout(&parent, ms(300));
        assert!(short.deadline() < middle.deadline() && middle.deadline() < long.deadline());

        let order = chan![&'static str; 3];
        for (name, ctx) in [("long", long.clone()), ("middle", middle.clone()), ("short", short.clone())] {
            let order = order.sender();
            go! {
                <-ctx.done();
                assert_eq!(ctx.err(), Some(DeadlineExceeded));
                order <- name;
            };
        }
        <-middle.done();
        assert_eq!(middle.err(), Some(DeadlineExceeded));
        assert_eq!(short.err(), Some(DeadlineExceeded), "the shorter sibling fired first");
        assert_eq!(long.err(), None, "the longer sibling has not fired yet");
        <-long.done();
        assert_eq!(long.err(), Some(DeadlineExceeded));

        let mut fired: Vec<&str> = (0..3).map(|_| (<-order).unwrap()).collect();
        fired.sort_unstable();
        assert_eq!(fired, ["long", "middle", "short"]);
        for c in [c1, c2, c3] {
            c.cancel(); // after the deadline: no effect
        }
        assert_eq!(short.err(), Some(DeadlineExceeded));
    }

    #[goru::test]
    fn deadline_of_a_child_is_the_earlier_of_its_own_and_its_parents() {
        let (parent, cancel_parent) = context::with_timeout(&context::background(), ms(100));
        let (later, _c1) = context::with_timeout(&parent, HOUR);
        assert_eq!(later.deadline(), parent.deadline(), "the parent's is sooner");
        assert!(parent.to_string().starts_with("context.Background.WithDeadline(["));
        assert!(later.to_string().ends_with("]).WithCancel"), "a WithCancel: {later}");
        let (sooner, _c2) = context::with_timeout(&parent, ms(10));
        assert!(sooner.deadline() < parent.deadline());
        let (plain, _c3) = context::with_cancel(&parent);
        assert_eq!(plain.deadline(), parent.deadline(), "inherited through with_cancel");
        let valued = context::with_value(&parent, RequestId(1));
        assert_eq!(valued.deadline(), parent.deadline(), "and through with_value");

        <-sooner.done();
        assert_eq!(sooner.err(), Some(DeadlineExceeded));
        assert_eq!(parent.err(), None);
        <-later.done(); // the parent's timer cancels it
        assert_eq!(later.err(), Some(DeadlineExceeded), "the parent's error");
        assert_eq!(parent.err(), Some(DeadlineExceeded));
        cancel_parent.cancel();
    }

    #[goru::test]
    fn a_deadline_in_the_past_is_exceeded_at_once() {
        let (ctx, _cancel) = context::with_deadline(&context::background(), Instant::now());
        assert!(is_done(&ctx));
        assert_eq!(ctx.err(), Some(DeadlineExceeded));
        let (ctx, _cancel) = context::with_timeout(&context::background(), Duration::ZERO);
        assert_eq!(ctx.err(), Some(DeadlineExceeded));
        assert_eq!(context::background().registered_children(), 0);
    }

    #[goru::test]
    fn cancel_before_the_deadline_wins() {
        let (ctx, cancel) = context::with_timeout(&context::background(), ms(20));
        cancel.cancel();
        assert_eq!(ctx.err(), Some(Canceled));
        time::sleep(ms(60)); // past the deadline: the timer was stopped
        assert_eq!(ctx.err(), Some(Canceled));
        assert_eq!(context::cause(&ctx).unwrap().to_string(), "context canceled");
    }

    /// The id of a new goroutine, read from the goroutine dump while it
    /// waits.
    fn next_goroutine_id() -> u64 {
        let (hold, started) = (chan![()], chan![()]);
        let (h, s) = (hold.receiver(), started.sender());
        go! { s.close(); <-h; };
        <-started;
        wait_parked("chan receive", 1);
        let dump = goru::runtime::stack_dump();
        let line = dump
            .lines()
            .find(|l| l.ends_with("[chan receive]:"))
            .expect("the waiting goroutine is in the dump");
        hold.close();
        line.split(' ').nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn a_cancelled_contexts_timer_is_stopped() {
        // If a timer survived its cancel, it would start a goroutine (to
        // cancel the context) when its deadline passed. One worker: all
        // goroutine ids then come from one sequence, so the gap between
        // two probes counts every goroutine started in between.
        common::run(1, || {
            let before = next_goroutine_id();
            for _ in 0..100 {
                let (ctx, cancel) = context::with_timeout(&context::background(), ms(5));
                cancel.cancel();
                assert_eq!(ctx.err(), Some(Canceled));
            }
            let (ctx, cancel) = context::with_timeout(&context::background(), ms(5));
            drop((ctx, cancel)); // dropped unfired: stopped as well
            time::sleep(ms(50)); // well past every deadline
            assert_eq!(next_goroutine_id(), before + 1, "no timer goroutine ran");

            // The control: an expired context's timer does start one.
            let (ctx, _cancel) = context::with_timeout(&context::background(), ms(1));
            <-ctx.done();
            assert!(next_goroutine_id() >= before + 3);
        });
    }

    // ---- values ----

    #[goru::test]
    fn value_lookup_walks_up_the_chain_and_shadows() {
        let outer = context::with_value(&context::background(), RequestId(1));
        let (cancellable, cancel) = context::with_cancel(&outer);
        let user = context::with_value(&cancellable, User("gopher"));
        let (timed, _c) = context::with_timeout(&user, HOUR);
        let inner = context::with_value(&timed, RequestId(2));

        assert_eq!(inner.value::<RequestId>(), Some(&RequestId(2)), "the nearest shadows");
        assert_eq!(timed.value::<RequestId>(), Some(&RequestId(1)));
        assert_eq!(inner.value::<User>(), Some(&User("gopher")), "found further up");
        assert_eq!(outer.value::<User>(), None, "never down");
        assert_eq!(inner.value::<String>(), None);
        let detached = context::without_cancel(&inner);
        assert_eq!(detached.value::<RequestId>(), Some(&RequestId(2)));

        // Values stay readable from other goroutines and after cancel.
        cancel.cancel();
        let got = spawn(move || inner.value::<User>().map(|u| u.0)).join().unwrap();
        assert_eq!(got, Some("gopher"));
        assert!(user.to_string().ends_with(".WithCancel.WithValue(context::User)"), "{user}");
    }

    // ---- causes ----

    #[goru::test]
    fn cause_is_the_error_given_to_cancel_and_reaches_children() {
        let (ctx, cancel) = context::with_cancel_cause(&context::background());
        let (child, _c) = context::with_cancel(&ctx);
        assert!(context::cause(&ctx).is_none(), "no cause before it is done");
        cancel.cancel(Overloaded);
        cancel.cancel("second cause: ignored");
        assert_eq!(ctx.err(), Some(Canceled));
        for c in [&ctx, &child] {
            let cause = context::cause(c).unwrap();
            assert_eq!(cause.to_string(), "server overloaded");
            assert!(cause.downcast_ref::<Overloaded>().is_some());
        }

        // Go's cancel(nil): the cause is the error itself.
        let (ctx, cancel) = context::with_cancel_cause(&context::background());
        cancel.cancel(Canceled);
        assert_eq!(context::cause(&ctx).unwrap().downcast_ref::<ContextError>(), Some(&Canceled));

        // A cause set higher up wins over a child's own deadline cause.
        let (ctx, cancel) = context::with_cancel_cause(&context::background());
        let (timed, _c) = context::with_timeout_cause(&ctx, HOUR, "too slow");
        cancel.cancel("shutdown");
        assert_eq!(context::cause(&timed).unwrap().to_string(), "shutdown");

        // A deadline cause when the deadline passes.
        let (timed, _c) = context::with_timeout_cause(&context::background(), ms(5), "too slow");
        <-timed.done();
        assert_eq!(timed.err(), Some(DeadlineExceeded));
        assert_eq!(timed.cause().unwrap().to_string(), "too slow");
        let (past, _c) = context::with_deadline_cause(&context::background(), Instant::now(), "late");
        assert_eq!(past.cause().unwrap().to_string(), "late");
    }

    // ---- without_cancel and after_func ----

    #[goru::test]
    fn without_cancel_is_never_done() {
        let (ctx, cancel) = context::with_timeout(&context::background(), HOUR);
        let detached = context::without_cancel(&ctx);
        let (child, cancel_child) = context::with_cancel(&detached);
        cancel.cancel();
        assert_eq!(detached.err(), None);
        assert_eq!(detached.deadline(), None);
        assert!(detached.done().is_nil());
        assert_eq!(child.err(), None, "a child of a detached context is not reached");
        assert_eq!(child.deadline(), None);
        assert!(detached.to_string().ends_with(".WithoutCancel"));
        cancel_child.cancel();
        assert_eq!(child.err(), Some(Canceled));
    }

    #[goru::test]
    fn after_func_runs_once_in_its_own_goroutine_when_done() {
        let (ctx, cancel) = context::with_cancel(&context::background());
        let ran = chan![&'static str; 4];
        let out = ran.sender();
        let stop = context::after_func(&ctx, move || { out <- "after"; });
        let out = ran.sender();
        let stopped = context::after_func(&ctx, move || { out <- "stopped one"; });
        assert_eq!(ctx.registered_children(), 2);
        assert!(stopped.stop(), "stopped before it ran");
        assert!(!stopped.stop(), "only once");
        assert_eq!(ctx.registered_children(), 1);
        cancel.cancel();
        assert_eq!(<-ran, Some("after"));
        assert!(!stop.stop(), "too late: it has run");

        // On a context already done: runs at once.
        let out = ran.sender();
        let late = context::after_func(&ctx, move || { out <- "late"; });
        assert_eq!(<-ran, Some("late"));
        assert!(!late.stop());

        // On a context that is never done: never runs; stop says it kept it from running.
        let never = context::after_func(&context::background(), || panic!("must not run"));
        assert!(never.stop());
        assert_eq!(ran.len(), 0);
    }

    #[goru::test]
    fn after_func_keeps_its_context_until_it_runs() {
        let (parent, cancel_parent) = context::with_cancel(&context::background());
        let ran = chan![bool; 1];
        {
            let (child, _cancel_child) = context::with_cancel(&parent);
            let out = ran.sender();
            let c = child.clone();
            let _stop = context::after_func(&child, move || { out <- c.err().is_some(); });
            // Every handle of the child goes here; the registration keeps it.
        }
        assert_eq!(parent.registered_children(), 1);
        cancel_parent.cancel();
        assert_eq!(<-ran, Some(true), "the parent's cancel reached the function");
    }

    // ---- nothing left behind ----

    #[goru::test]
    fn no_leak_after_cancelling_100_000_children_of_one_parent() {
        const N: usize = 100_000;
        let baseline = goru::runtime::num_goroutine();
        let (parent, cancel_parent) = context::with_cancel(&context::background());
        let children: Vec<_> = (0..N)
            .map(|i| {
                yield_now_and_then(i);
                if i % 2 == 0 {
                    context::with_cancel(&parent)
                } else {
                    context::with_timeout(&parent, HOUR) // a timer each
                }
            })
            .collect();
        assert_eq!(parent.registered_children(), N);
        for (i, (ctx, cancel)) in children.iter().enumerate() {
            yield_now_and_then(i);
            cancel.cancel();
            assert_eq!(ctx.err(), Some(Canceled));
        }
        assert_eq!(parent.registered_children(), 0);
        assert_eq!(goru::runtime::num_goroutine(), baseline);
        assert_eq!(parent.err(), None);
        drop(children);
        cancel_parent.cancel();
        assert_eq!(goru::runtime::num_goroutine(), baseline);
    }

    #[goru::test]
    fn dropped_children_leave_the_registry_without_cancel() {
        let (parent, cancel) = context::with_cancel(&context::background());
        for i in 0..100_000 {
            yield_now_and_then(i);
            let (child, cancel_child) = if i % 2 == 0 {
                context::with_cancel(&parent)
            } else {
                context::with_timeout(&parent, HOUR)
            };
            assert!(child.err().is_none());
            drop((child, cancel_child)); // Go's vet would flag this; here it is released
        }
        assert_eq!(parent.registered_children(), 0);

        // A child stays registered while anything below it is alive.
        let (child, cancel_child) = context::with_cancel(&parent);
        let grandchild = context::with_cancel(&context::with_value(&child, User("x"))).0;
        drop((child, cancel_child));
        assert_eq!(parent.registered_children(), 1);
        cancel.cancel();
        assert_eq!(grandchild.err(), Some(Canceled), "still reached through the chain");
        drop(grandchild);
        assert_eq!(parent.registered_children(), 0);
    }

    #[goru::test]
    fn expired_children_leave_the_registry_and_their_goroutines_end() {
        const N: usize = 1_000;
        let baseline = goru::runtime::num_goroutine();
        let (parent, cancel) = context::with_cancel(&context::background());
        let children: Vec<_> = (0..N)
            .map(|i| context::with_timeout(&parent, ms(1 + (i % 20) as u64)))
            .collect();
        for (ctx, _) in &children {
            <-ctx.done();
            assert_eq!(ctx.err(), Some(DeadlineExceeded));
        }
        wait_until("expired children unregistered", || parent.registered_children() == 0);
        wait_until("timer goroutines finished", || goru::runtime::num_goroutine() == baseline);
        drop(children);
        cancel.cancel();
    }

    #[goru::test]
    fn a_20_000_deep_chain_cancels_and_drops_without_recursion() {
        // On a goroutine's fixed-size stack: recursion this deep would
        // overflow (it does at a few thousand).
        let (root, cancel) = context::with_cancel(&context::background());
        let mut ctx = root.clone();
        for i in 0..20_000i32 {
            yield_now_and_then(i as usize);
            ctx = if i % 2 == 0 {
                context::with_value(&ctx, i)
            } else {
                context::with_cancel(&ctx).0
            };
        }
        assert_eq!(ctx.value::<i32>(), Some(&19_998));
        assert_eq!(root.registered_children(), 1);
        let live_chain = ctx.clone();
        drop(ctx);
        drop(live_chain); // a live chain: each node leaves its parent's registry
        assert_eq!(root.registered_children(), 0);

        let mut ctx = root.clone();
        for i in 0..20_000 {
            yield_now_and_then(i);
            ctx = context::with_cancel(&ctx).0;
        }
        cancel.cancel();
        assert_eq!(ctx.err(), Some(Canceled));
        assert!(is_done(&ctx));
        drop(ctx);
    }

    // ---- a tree of workers ----

    fn tree_worker(ctx: Context, depth: u32, stopped: Sender<u32>) {
        if depth > 0 {
            for _ in 0..3 {
                let (child, cancel) = context::with_cancel(&ctx);
                go!(tree_worker(child, depth - 1, stopped.clone()));
                defer!(cancel.cancel());
            }
        }
        let never = chan![()];
        select! {
            <-ctx.done() => { stopped <- depth; }
            <-never => {}
        }
    }

    #[goru::test]
    fn a_timeout_stops_a_whole_tree_of_workers() {
        // 1 + 3 + 9 + 27 = 40 workers, each under its own child context.
        let (ctx, cancel) = context::with_timeout(&context::background(), ms(20));
        defer!(cancel.cancel());
        let stopped = chan![u32; 40];
        go!(tree_worker(ctx.clone(), 3, stopped.sender()));
        let mut by_depth = [0; 4];
        for _ in 0..40 {
            by_depth[(<-stopped).unwrap() as usize] += 1;
        }
        assert_eq!(by_depth, [27, 9, 3, 1]);
        assert_eq!(ctx.err(), Some(DeadlineExceeded));
    }
}

// ---- plain OS threads ----

#[test]
fn contexts_work_from_plain_threads() {
    let (ctx, cancel) = context::with_cancel(&context::background());
    let waiter = {
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let closed = ctx.done().recv(); // blocks this thread
            (closed, ctx.err())
        })
    };
    cancel.cancel();
    assert_eq!(waiter.join().unwrap(), (None, Some(Canceled)));

    // A deadline's timer runs on the global runtime and wakes a thread.
    let (ctx, _cancel) = context::with_timeout(&context::background(), ms(10));
    assert_eq!(ctx.done().recv(), None);
    assert_eq!(ctx.err(), Some(DeadlineExceeded));
}

#[test]
fn context_handles_are_send_and_sync() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Context>();
    check::<context::CancelFunc>();
    check::<context::CancelCauseFunc>();
    fn send_sync<T: Send + Sync>() {}
    send_sync::<context::StopFunc>();
    send_sync::<ContextError>();
}
