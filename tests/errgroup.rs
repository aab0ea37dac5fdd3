//! errgroup: the first error wins and cancels the group's context, limits
//! hold (the highest concurrency seen is recorded and asserted), `try_go`
//! declines at the limit, and the group works from a plain thread.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use common::{panic_message, wait_parked, wait_until};
use goru::context::{self, ContextError};
use goru::errgroup::{self, Group};
use goru::prelude::*;

/// Counts goroutines inside a section and remembers the most at once.
#[derive(Clone, Default)]
struct Occupancy {
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
}

impl Occupancy {
    fn enter(&self) {
        let n = self.now.fetch_add(1, SeqCst) + 1;
        self.max.fetch_max(n, SeqCst);
        self.total.fetch_add(1, SeqCst);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, SeqCst);
    }
}

goru! {
    #[goru::test]
    fn wait_returns_ok_when_every_function_succeeds() {
        let g: Group = Group::new();
        let sum = Arc::new(AtomicUsize::new(0));
        for i in 1..=100 {
            let sum = sum.clone();
            g.go(move || {
                time::sleep(ms(1));
                sum.fetch_add(i, SeqCst);
                Ok(())
            });
        }
        assert!(g.wait().is_ok());
        assert_eq!(sum.load(SeqCst), 5050, "wait returned after all of them");
        assert!(g.wait().is_ok(), "a second wait on an idle group");
    }

    #[goru::test]
    fn wait_returns_the_first_error() {
        let g: Group<String> = Group::new();
        g.go(|| Ok(()));
        g.go(|| Err("only".to_string()));
        g.go(|| Ok(()));
        assert_eq!(g.wait(), Err("only".to_string()));
        assert_eq!(g.wait(), Ok(()), "the error is handed out once");

        // Later failures (here: every sibling, once the first has failed
        // and cancelled the context) do not replace the first.
        let (g, ctx) = Group::<String>::with_context(&context::background());
        for i in 0..10 {
            let ctx = ctx.clone();
            g.go(move || {
                <-ctx.done();
                Err(format!("sibling {i}: {}", ctx.err().unwrap()))
            });
        }
        g.go(|| Err("first".to_string()));
        assert_eq!(g.wait(), Err("first".to_string()));
    }

    #[goru::test]
    fn later_errors_are_dropped_even_after_wait() {
        // Go's errOnce: the group keeps only its first error ever.
        let g: Group<&'static str> = Group::new();
        g.go(|| Err("first"));
        assert_eq!(g.wait(), Err("first"));
        g.go(|| Err("another"));
        assert_eq!(g.wait(), Ok(()));
    }

    #[goru::test]
    fn with_context_cancels_the_siblings_on_the_first_error() {
        let (g, ctx) = Group::<String>::with_context(&context::background());
        let observed = Arc::new(AtomicUsize::new(0));
        for _ in 0..5 {
            let (ctx, observed) = (ctx.clone(), observed.clone());
            g.go(move || {
                let never = chan![()];
                select! {
                    <-ctx.done() => {
                        assert_eq!(ctx.err(), Some(ContextError::Canceled));
                        observed.fetch_add(1, SeqCst);
                        Err(ctx.err().unwrap().to_string())
                    }
                    <-never => Ok(()),
                }
            });
        }
        wait_parked("select", 5);
        assert_eq!(ctx.err(), None, "nothing failed yet");
        g.go(|| Err("fetch failed".to_string()));
        assert_eq!(g.wait(), Err("fetch failed".to_string()));
        assert_eq!(observed.load(SeqCst), 5, "every sibling saw done()");
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
        assert_eq!(context::cause(&ctx).unwrap().to_string(), "fetch failed");
    }

    #[goru::test]
    fn with_context_is_cancelled_when_wait_returns() {
        let parent = context::with_value(&context::background(), 7u8);
        let (g, ctx): (Group, _) = errgroup::with_context(&parent);
        assert_eq!(ctx.value::<u8>(), Some(&7), "derived from the parent");
        let c = ctx.clone();
        g.go(move || {
            assert_eq!(c.err(), None);
            Ok(())
        });
        assert!(g.wait().is_ok());
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
        assert_eq!(context::cause(&ctx).unwrap().to_string(), "context canceled");
        assert_eq!(parent.err(), None, "never the parent");
    }

    #[goru::test]
    fn set_limit_2_never_runs_more_than_2_at_once() {
        let g: Group = Group::new();
        g.set_limit(2);
        let occupancy = Occupancy::default();
        for _ in 0..50 {
            let occupancy = occupancy.clone();
            g.go(move || {
                occupancy.enter();
                for _ in 0..3 {
                    goru::runtime::gosched(); // let others try to get in
                }
                time::sleep(ms(1));
                occupancy.leave();
                Ok(())
            });
        }
        g.wait().unwrap();
        assert_eq!(occupancy.total.load(SeqCst), 50);
        let max = occupancy.max.load(SeqCst);
        assert!(max <= 2, "{max} ran at once under set_limit(2)");
        assert!(max >= 1);
    }

    #[goru::test]
    fn go_parks_at_the_limit_until_a_slot_frees() {
        let g: Group = Group::new();
        g.set_limit(2);
        let release = [chan![()], chan![()]];
        for r in &release {
            let r = r.receiver();
            g.go(move || { <-r; Ok(()) });
        }
        // A third go() from another goroutine parks until one returns.
        let started = chan![&'static str; 1];
        let (g2, s) = (g.clone(), started.sender());
        go! {
            g2.go(move || { s <- "third"; Ok(()) });
        };
        wait_parked("chan send", 1); // the token send of the third go()
        assert!(started.is_empty());
        release[0].close();
        assert_eq!(<-started, Some("third"));
        release[1].close();
        g.wait().unwrap();
    }

    #[goru::test]
    fn try_go_returns_false_at_the_limit() {
        let g: Group = Group::new();
        g.set_limit(2);
        let release = chan![()];
        for _ in 0..2 {
            let r = release.receiver();
            assert!(g.try_go(move || { <-r; Ok(()) }));
        }
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        assert!(!g.try_go(move || { r.fetch_add(1, SeqCst); Ok(()) }), "at the limit");
        release.close();
        // A slot frees once one of them has returned.
        let counted = || {
            let r = ran.clone();
            move || { r.fetch_add(1, SeqCst); Ok(()) }
        };
        wait_until("a slot to free", || g.try_go(counted()));
        g.wait().unwrap();
        assert_eq!(ran.load(SeqCst), 1, "the declined function never ran");
    }

    #[goru::test]
    fn try_go_without_limit_always_starts() {
        let g: Group = Group::new();
        for _ in 0..100 {
            assert!(g.try_go(|| Ok(())));
        }
        g.set_limit(-1); // no limit, again
        assert!(g.try_go(|| Ok(())));
        g.wait().unwrap();
    }

    #[goru::test]
    fn set_limit_while_running_panics_like_go() {
        let g: Group = Group::new();
        g.set_limit(1);
        let release = chan![()];
        let r = release.receiver();
        g.go(move || { <-r; Ok(()) });
        let g2 = g.clone();
        let err = spawn(move || g2.set_limit(4)).join().unwrap_err();
        assert_eq!(
            panic_message(&*err),
            "errgroup: modify limit while 1 goroutines in the group are still active"
        );
        release.close();
        g.wait().unwrap();
        g.set_limit(4); // idle again: allowed
    }

    #[goru::test]
    fn goroutines_of_the_group_can_start_more() {
        let g: Group = Group::new();
        let count = Arc::new(AtomicUsize::new(0));
        let (g2, c) = (g.clone(), count.clone());
        g.go(move || {
            for _ in 0..10 {
                let c = c.clone();
                g2.go(move || { c.fetch_add(1, SeqCst); Ok(()) });
            }
            Ok(())
        });
        g.wait().unwrap();
        assert_eq!(count.load(SeqCst), 10);
    }

    #[goru::test]
    fn question_mark_works_with_the_default_error_type() {
        let g: Group = Group::new();
        g.go(|| {
            let n: i32 = "42".parse()?;
            assert_eq!(n, 42);
            let _bad: i32 = "forty-two".parse()?;
            unreachable!()
        });
        assert_eq!(g.wait().unwrap_err().to_string(), "invalid digit found in string");
    }
}

#[test]
fn a_group_works_from_a_plain_thread() {
    let g: Group<String> = Group::new();
    g.set_limit(3);
    let occupancy = Occupancy::default();
    for i in 0..20 {
        let occupancy = occupancy.clone();
        g.go(move || {
            occupancy.enter();
            goru::time::sleep(goru::time::ms(1));
            occupancy.leave();
            if i == 13 {
                Err(format!("job {i} failed"))
            } else {
                Ok(())
            }
        });
    }
    assert_eq!(g.wait(), Err("job 13 failed".to_string()));
    assert_eq!(occupancy.total.load(SeqCst), 20);
    assert!(occupancy.max.load(SeqCst) <= 3);
}
