//! The Go syntax end to end: operators at any depth, `go!` evaluation
//! rules, `select!` semantics, `defer!`/`recover()` scoping and ordering,
//! and what `#[goru::test]` catches (deadlock, leaked goroutines).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use goru::prelude::*;

type Log = Arc<Mutex<Vec<String>>>;

fn log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn push(log: &Log, s: impl Into<String>) {
    log.lock().unwrap().push(s.into());
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

goru! {
    // ---- operators ----

    fn producer(out: Sender<i32>, n: i32) {
        defer!(out.close());
        for i in 0..n {
            out <- i;
        }
    }

    fn sum(rx: Receiver<i32>) -> i32 {
        let mut total = 0;
        while let Some(v) = <-rx {
            total += v;
        }
        total
    }

    #[goru::test]
    fn send_and_receive_statements() {
        let ch = chan![i32];
        go!(producer(ch.sender(), 10));
        assert_eq!(sum(ch.receiver()), 45);
    }

    #[goru::test]
    fn receive_at_any_depth() {
        let ch = chan![i32; 16];
        for i in 1..=10 {
            ch <- i;
        }
        // In another macro's arguments.
        assert_eq!(format!("{:?}", <-ch), "Some(1)");
        // In a closure, a match scrutinee and arm, an inner block.
        let take = || <-ch;
        assert_eq!(take(), Some(2));
        match <-ch {
            Some(3) => assert_eq!(<-ch, Some(4)),
            other => panic!("unexpected {other:?}"),
        }
        {
            let v = { (<-ch).unwrap() + (<-ch).unwrap() };
            assert_eq!(v, 5 + 6);
        }
        // Through fields, indexing and method calls on the operand.
        struct Holder { chans: Vec<Chan<i32>> }
        let h = Holder { chans: vec![ch.clone()] };
        assert_eq!(<-h.chans[0], Some(7));
        assert_eq!(<-h.chans.first().unwrap(), Some(8));
        // Receive of a receive: a channel of channels.
        let chch = chan![Chan<i32>; 1];
        chch <- ch.clone();
        assert_eq!(<-(<-chch).unwrap(), Some(9));
        ch <- 11;
        chch <- ch.clone();
        assert_eq!(<-<-chch, Some(10)); // Go's `<-<-chch`
        // Sends of received values.
        let out = chan![i32; 1];
        out <- (<-ch).unwrap() * 10;
        assert_eq!(<-out, Some(110));
    }

    #[goru::test]
    fn spaced_less_than_minus_is_a_comparison() {
        let (a, b) = (1, 2);
        assert!(a < -b || a > 0);
        #[allow(clippy::precedence)]
        let shifted = 1 << -(-2);
        assert_eq!(shifted, 4);
    }

    #[goru::test]
    fn send_on_closed_channel_panics_like_go() {
        let ch = chan![i32; 1];
        ch.close();
        let r = spawn(move || { ch <- 1; }).join();
        let msg = r.unwrap_err().downcast_ref::<&str>().copied();
        assert_eq!(msg, Some("send on closed channel"));
    }

    #[goru::test]
    fn receive_from_closed_channel_is_none() {
        let ch = chan![String; 2];
        ch <- "last".to_string();
        ch.close();
        assert_eq!((<-ch).as_deref(), Some("last"));
        assert_eq!(<-ch, None);
    }

    // ---- go! ----

    fn record(out: Sender<i32>, v: i32) {
        out <- v;
    }

    #[goru::test]
    fn go_call_evaluates_arguments_now() {
        // Go's loop-variable pitfall cannot happen: each call gets the value
        // `i` had at the go!.
        let out = chan![i32; 5];
        let mut i = 0;
        while i < 5 {
            go!(record(out.sender(), i));
            i += 1;
        }
        let mut got: Vec<i32> = (0..5).map(|_| (<-out).unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2, 3, 4]);
    }

    #[goru::test]
    fn go_method_call_evaluates_receiver_now() {
        struct Counter { out: Sender<usize>, n: usize }
        impl Counter {
            fn report(&self, extra: usize) { self.out.send(self.n + extra).unwrap(); }
        }
        let out = chan![usize; 1];
        let c = Counter { out: out.sender(), n: 40 };
        go!(c.report(2));
        assert_eq!(<-out, Some(42));
    }

    #[goru::test]
    fn go_block_moves_captures() {
        let out = chan![String; 1];
        let s = String::from("moved");
        let tx = out.sender();
        go! {
            tx <- s;
        };
        assert_eq!((<-out).as_deref(), Some("moved"));
    }

    // ---- select! ----

    #[goru::test]
    fn select_arms_are_inline_code() {
        let a = chan![i32; 4];
        for i in 0..4 {
            a <- i;
        }
        a.close();
        let mut seen = Vec::new();
        loop {
            select! {
                v = <-a => {
                    let Some(v) = v else { break };
                    if v == 1 { continue; }
                    seen.push(v);
                }
            }
        }
        assert_eq!(seen, [0, 2, 3]);
        assert_eq!(first_even(&[1, 3, 4]), Ok(4));
        assert!(first_even(&[1, 3]).is_err());
    }

    fn first_even(values: &[i32]) -> Result<i32, String> {
        let ch = chan![i32; 8];
        for v in values {
            ch <- *v;
        }
        ch.close();
        loop {
            select! {
                v = <-ch => {
                    let v = v.ok_or_else(|| "none".to_string())?;   // `?` leaves the function
                    if v % 2 == 0 { return Ok(v); }
                }
            }
        }
    }

    #[goru::test]
    fn select_operands_evaluated_once_in_source_order() {
        let order = log();
        let a = chan![i32; 1];
        let b = chan![i32; 1];
        let pick = |name: &str, c: &Chan<i32>| { push(&order, name); c.clone() };
        select! {
            v = <-pick("recv a", &a) => { panic!("nothing to receive: {v:?}"); }
            pick("send b", &b) <- { push(&order, "value b"); 7 } => {}
        }
        assert_eq!(entries(&order), ["recv a", "send b", "value b"]);
        assert_eq!(<-b, Some(7));
    }

    #[goru::test]
    fn option_channel_none_is_nil() {
        // Go turns a select arm off by setting its channel to nil.
        let a = chan![i32; 4];
        let mut source = Some(a.clone());
        a <- 1;
        a.close();
        let mut got = Vec::new();
        for _ in 0..3 {
            select! {
                v = <-source => match v {
                    Some(v) => got.push(v),
                    None => source = None,
                },
                default => got.push(0),
            }
        }
        assert_eq!(got, [1, 0]);
    }

    #[goru::test]
    fn select_default_and_nil_channels() {
        let nil = Chan::<i32>::nil();
        let chosen;
        select! {
            <-nil => { chosen = "receive"; }
            nil <- 1 => { chosen = "send"; }
            default => { chosen = "default"; }
        }
        assert_eq!(chosen, "default");
    }

    #[goru::test]
    fn select_is_fair_between_ready_arms() {
        let a = chan![i32; 1];
        let b = chan![i32; 1];
        let (mut na, mut nb) = (0, 0);
        for _ in 0..2000 {
            a <- 1;
            b <- 2;
            select! {
                <-a => { na += 1; <-b; }
                <-b => { nb += 1; <-a; }
            }
        }
        // Uniform choice: each side near 1000 (far outside 700..1300 would
        // need a broken random choice, not bad luck).
        assert!((700..1300).contains(&na), "a chosen {na} times, b {nb}");
    }

    #[goru::test]
    fn select_timeout() {
        let never = chan![i32];
        let mut timed_out = false;
        select! {
            <-never => {}
            <-time::after(ms(20)) => { timed_out = true; }
        }
        assert!(timed_out);
    }

    // ---- defer! and recover() ----

    fn lifo(log: Log) {
        defer!(push(&log, "first registered"));
        defer!(push(&log, "second registered"));
        push(&log, "body");
    }

    fn in_loop(log: Log) {
        for i in 0..3 {
            let log = log.clone();
            defer! { push(&log, format!("loop {i}")); }
        }
        push(&log, "after loop");
    }

    fn mixed_order(log: Log) {
        let l1 = log.clone();
        defer! { push(&l1, "top 1"); }
        for i in 0..2 {
            let l = log.clone();
            defer! { push(&l, format!("nested {i}")); }
        }
        let l2 = log.clone();
        defer! { push(&l2, "top 2"); }
        if true {
            let l = log.clone();
            defer! { push(&l, "in branch"); }
        }
    }

    fn args_evaluated_at_defer(log: Log) {
        let mut x = 1;
        defer!(push(&log, format!("x was {}", x)));
        x += 1;
        push(&log, format!("x is {x}"));
    }

    #[goru::test]
    fn defer_order_is_go_order() {
        let l = log();
        lifo(l.clone());
        assert_eq!(entries(&l), ["body", "second registered", "first registered"]);

        let l = log();
        in_loop(l.clone());
        assert_eq!(entries(&l), ["after loop", "loop 2", "loop 1", "loop 0"]);

        let l = log();
        mixed_order(l.clone());
        assert_eq!(entries(&l), ["in branch", "top 2", "nested 1", "nested 0", "top 1"]);

        let l = log();
        args_evaluated_at_defer(l.clone());
        assert_eq!(entries(&l), ["x is 2", "x was 1"]);
    }

    fn divide(a: i32, b: i32) -> i32 {
        defer! {
            if let Some(r) = recover() {
                println!("recovered: {r}");
            }
        }
        a / b
    }

    fn to_error(fail: bool) -> Result<i32, String> {
        defer! {
            if let Some(r) = recover() {
                return Err(format!("caught: {r}"));
            }
        }
        if fail {
            panic!("boom {}", 42);
        }
        Ok(1)
    }

    fn handle_panic(log: &Log) {
        // Go's helper pattern: the deferred call calls a function that
        // calls recover().
        if let Some(r) = recover() {
            push(log, format!("helper recovered {r}"));
        }
    }

    fn uses_helper(log: Log) {
        defer!(handle_panic(&log));
        panic!("via helper");
    }

    fn runs_defers_while_panicking(log: Log) {
        defer!(push(&log, "deferred ran"));
        panic!("not recovered");
    }

    fn panic_in_defer_replaces(log: Log) {
        defer! {
            let r = recover();
            push(&log, format!("outer saw {}", r.map(|r| r.to_string()).unwrap_or_default()));
        }
        defer! { panic!("second"); }
        panic!("first");
    }

    fn recover_without_panic(log: Log) -> i32 {
        defer! {
            push(&log, format!("recover() = {:?}", recover().map(|r| r.to_string())));
        }
        7
    }

    fn inner_recovers(log: Log) {
        defer! {
            if recover().is_some() { push(&log, "inner recovered"); }
        }
        panic!("inner");
    }

    fn outer_sees_nothing(log: Log) -> &'static str {
        let l = log.clone();
        defer! {
            push(&l, format!("outer recover: {}", recover().is_some()));
        }
        inner_recovers(log);
        "outer returned"
    }

    fn override_on_success(log: Log) -> i32 {
        defer! {
            push(&log, "deferred sets 2");
            return 2;
        }
        1
    }

    #[goru::test]
    fn recover_stops_a_panic() {
        assert_eq!(divide(6, 3), 2);
        assert_eq!(divide(1, 0), 0); // zero value after recover
        assert_eq!(to_error(true), Err("caught: boom 42".to_string()));
        assert_eq!(to_error(false), Ok(1));

        let l = log();
        uses_helper(l.clone());
        assert_eq!(entries(&l), ["helper recovered via helper"]);

        let l = log();
        let l2 = l.clone();
        let r = spawn(move || runs_defers_while_panicking(l2)).join();
        assert!(r.is_err());
        assert_eq!(entries(&l), ["deferred ran"]);

        let l = log();
        panic_in_defer_replaces(l.clone());
        assert_eq!(entries(&l), ["outer saw second"]);

        let l = log();
        assert_eq!(recover_without_panic(l.clone()), 7);
        assert_eq!(entries(&l), ["recover() = None"]);

        let l = log();
        assert_eq!(outer_sees_nothing(l.clone()), "outer returned");
        assert_eq!(entries(&l), ["inner recovered", "outer recover: false"]);

        let l = log();
        assert_eq!(override_on_success(l.clone()), 2);
    }

    #[goru::test]
    fn defer_and_recover_in_a_goroutine() {
        let done = chan![String];
        let tx = done.sender();
        go! {
            defer! {
                if let Some(r) = recover() {
                    tx <- format!("recovered: {r}");
                }
            }
            panic!("in goroutine");
        };
        assert_eq!((<-done).as_deref(), Some("recovered: in goroutine"));
    }

    #[goru::test]
    fn closures_are_their_own_defer_scope() {
        let l = log();
        let l2 = l.clone();
        let f = move || {
            let l3 = l2.clone();
            defer! { push(&l3, "closure deferred"); }
            push(&l2, "closure body");
        };
        f();
        push(&l, "after closure");
        assert_eq!(entries(&l), ["closure body", "closure deferred", "after closure"]);
    }
}

// ---- outside goru! {} ----

#[goru::test]
fn attribute_entry_scopes_defers_to_the_function() {
    let l = log();
    {
        let l = l.clone();
        push(&l, "in block");
        // Nested in a block, the deferred call owns `l` (moved in).
        defer!(push(&l, "function end"));
    }
    push(&l, "after block");
    assert_eq!(entries(&l), ["in block", "after block"]);
}

#[test]
fn defer_outside_goru_is_block_scoped() {
    let l = log();
    {
        let l = l.clone();
        defer!(push(&l, "block end"));
        push(&l, "in block");
    }
    push(&l, "after block");
    assert_eq!(entries(&l), ["in block", "block end", "after block"]);
}

#[test]
fn goru_test_fails_on_leaked_goroutines() {
    let outcome = std::panic::catch_unwind(|| {
        goru::__private::run_test(|| {
            let never = Chan::<()>::new(0);
            let held = never.clone();
            goru::go(move || {
                held.recv();
            });
            drop(never); // dropping a handle never closes the channel
        })
    });
    let payload = outcome.expect_err("a leaked goroutine fails the test");
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(msg.contains("still alive at its end"), "{msg}");
    assert!(msg.contains("[chan receive]"), "{msg}");
    assert!(msg.contains("created at"), "{msg}");
    assert!(msg.contains(file!()), "spawn site in the report: {msg}");
}

#[test]
fn goru_test_fails_on_deadlock() {
    let outcome = std::panic::catch_unwind(|| {
        goru::__private::run_test(|| {
            let ch = Chan::<i32>::new(0);
            ch.recv();
        })
    });
    let payload = outcome.expect_err("a deadlock fails the test");
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        msg.contains("all goroutines are asleep - deadlock!"),
        "{msg}"
    );
}

#[goru::test]
fn goru_test_returning_result() -> Result<(), String> {
    let ch = Chan::<i32>::new(1);
    ch.send(1).map_err(|e| e.to_string())?;
    Ok(())
}

#[test]
fn counters_stay_consistent_across_many_goroutines() {
    let total = Arc::new(AtomicUsize::new(0));
    let t = total.clone();
    goru::run(move || {
        let done = Chan::<()>::new(0);
        for _ in 0..100 {
            let (t, d) = (t.clone(), done.sender());
            goru::go(move || {
                t.fetch_add(1, Ordering::SeqCst);
                d.send(()).unwrap();
            });
        }
        for _ in 0..100 {
            done.recv();
        }
    });
    assert_eq!(total.load(Ordering::SeqCst), 100);
}

/// Inside `goru! {}`, `go!`, `chan!`, `select!` and `defer!` work without
/// importing them.
mod without_imports {
    goru::goru! {
        fn make() -> goru::Chan<i32> { chan![i32; 1] }

        fn pick(a: goru::Chan<i32>) -> i32 {
            a <- 3;
            select! { v = <-a => { v.unwrap() } }
        }

        #[goru::test]
        fn eager_macros_need_no_import() {
            let c = make();
            let done = chan![()];
            let d = done.clone();
            go! { defer!(d.close()); d <- (); }
            <-done;
            assert_eq!(<-done, None);
            assert_eq!(pick(c), 3);
        }
    }
}

mod go_func_literal {
    use goru::prelude::*;

    goru! {
        #[goru::test]
        fn go_with_a_called_closure_evaluates_its_arguments_now() {
            // Go: go func(id int) { out <- id * 10 }(i)
            let out = chan![i32; 3];
            for i in 0..3 {
                let tx = out.sender();
                go!((move |id: i32| { tx <- id * 10; })(i));
            }
            let mut got: Vec<i32> = (0..3).map(|_| (<-out).unwrap()).collect();
            got.sort_unstable();
            assert_eq!(got, [0, 10, 20]);
        }
    }
}

mod dump_locations {
    use goru::prelude::*;

    goru! {
        fn wait(c: Chan<i32>, line: Sender<u32>) {
            line <- line!(); <-c;
        }

        fn deadlocked_program(lines: Chan<u32>) {
            let c = chan![i32];
            lines <- line!(); go!(wait(c.clone(), lines.sender()));
            let block = chan![()];
            <-block;
        }
    }

    /// Goroutine dumps point at the user's lines inside `goru! {}` (where
    /// the goroutine blocks, where it was created), not at the macro call.
    #[test]
    fn dump_shows_the_lines_of_the_go_syntax() {
        let lines = Chan::<u32>::new(4);
        let l = lines.clone();
        let outcome = std::panic::catch_unwind(move || {
            goru::__private::run_test(move || deadlocked_program(l))
        });
        let msg = outcome
            .expect_err("the program deadlocks")
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        let go_line = lines.try_recv().expect("go! line sent");
        let recv_line = lines.try_recv().expect("receive line sent");
        let file = file!();
        assert!(
            msg.contains(&format!("[chan receive]:\n\t{file}:{recv_line}:")),
            "blocked-at line {recv_line} in:\n{msg}"
        );
        assert!(
            msg.contains(&format!("created at {file}:{go_line}:")),
            "created-at line {go_line} in:\n{msg}"
        );
    }
}
