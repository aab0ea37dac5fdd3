//! Go ports: classic Go concurrency programs (Go by Example, the Go tour,
//! the Go blog, Rob Pike's and Sameer Ajmani's talks), each kept in Go in
//! `tests/go_ports/go/<name>.go` and ported line by line to goru's Go syntax
//! in module `<name>` below. Each test checks that the port prints exactly
//! what the Go program prints: stdout byte for byte against
//! `tests/go_ports/expected/<name>.out`, which is the output of the Go
//! program built with Go 1.19 (`go build` and run; `go run` would turn exit
//! code 2 into 1). Programs that end in a fatal error must also exit with
//! status 2, and their stderr must start with the lines Go prints (goroutine
//! numbers aside); the others must exit 0 and print nothing on stderr, as
//! Go does. `every_go_program_is_ported` keeps the Go files and the ports
//! in step. To regenerate an expected output (Go 1.19, e.g. the Debian
//! package golang-1.19-go):
//!
//! ```text
//! /usr/lib/go-1.19/bin/go build -o /tmp/p tests/go_ports/go/<name>.go
//! /tmp/p > tests/go_ports/expected/<name>.out
//! ```
//!
//! How a test runs. A Go program owns its process (it exits when main
//! returns, or with status 2 on a deadlock or an unrecovered panic), so each
//! port runs in a child process: the test re-executes this test binary for
//! itself alone (`--exact <name> --nocapture --test-threads 1`) with
//! `GORU_PORT=<name>` set, and in the child the test body runs the port as
//! Go runs `main`: as goroutine 1 of a fresh runtime; when it returns,
//! stdout is flushed and the process exits 0 without waiting for other
//! goroutines. The child prints the marker line `<<<GORU-PORT-BEGIN>>>`
//! before the program and `<<<GORU-PORT-END>>>` after it, and the parent
//! compares only what lies between (libtest prints its own lines around a
//! test on the same stdout). A fatal program never reaches the end marker:
//! its output is everything after the begin marker. Each port runs twice,
//! with 1 and with 4 worker threads (`GOMAXPROCS`), in parallel; a 60 s
//! guard kills a hung child.
//!
//! The child builds its runtime with `foreign_threads_can_wake(false)`:
//! libtest's own threads exist in the child and never touch the program's
//! channels, but with the default setting goru would count them as threads
//! that might still send, and never report the deadlock (see "Differences
//! from Go" in the book). That is also why the ports are plain functions
//! and not `#[goru::main]` ones.
//!
//! Porting conventions (where Rust forces a difference, the port says so):
//! - Go's `v := <-ch` is `let v = (<-ch).unwrap();` (receive gives
//!   `Option`); `v, ok := <-ch` is a `match`/`if let` on the `Option`.
//! - `fmt.Println(a, b)` is `println!("{} {}", a, b)`.
//! - Go's closure in `go func() { ... }()` shares the variables of its
//!   function; `go! { ... }` moves what it captures, so where the function
//!   still uses a channel afterwards the port moves a clone in:
//!   `{ let c = c.clone(); go! { ... }; }` (a cloned `Chan` is the same
//!   channel, as a copied Go channel value is).
//! - Go's `chan<- T` / `<-chan T` parameters are `Sender<T>` / `Receiver<T>`,
//!   passed as `ch.sender()` / `ch.receiver()`.
//! - Go names are snake_case, and `in`/`gen` (Rust keywords) are `in_`/`r#gen`.
//! - Go's `fmt.Println` of a slice is `go_slice`, and `%q` is `{:?}`.

mod common;

use std::io::Write;
use std::time::Duration;

use common::{ChildOutput, rerun_test, run_guarded};

use goru::prelude::*;

const PORT_ENV: &str = "GORU_PORT";
const BEGIN: &str = "<<<GORU-PORT-BEGIN>>>\n";
const END: &str = "<<<GORU-PORT-END>>>\n";
/// Kill guard for a child; every port needs a few seconds at most.
const GUARD: Duration = Duration::from_secs(60);
/// Each port runs once per worker count (the `GOMAXPROCS` of the child).
const WORKER_COUNTS: [&str; 2] = ["1", "4"];

/// Go's `fmt.Println` of a `[]int`: `[0 1 4]`.
fn go_slice(v: &[i32]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}]", items.join(" "))
}

goru! {
    // ------------------------------------------------------------ ping_pong
    mod ping_pong {
        use super::*;

        #[derive(Default)]
        struct Ball {
            hits: i32,
        }

        // Go's *Ball: a Box, moved from player to player.
        fn player(
            name: &'static str,
            in_: Receiver<Box<Ball>>,
            out: Sender<Box<Ball>>,
            done: Sender<Box<Ball>>,
        ) {
            for mut ball in &in_ {
                ball.hits += 1;
                println!("{} {}", name, ball.hits);
                if ball.hits == 10 {
                    done <- ball;
                    return;
                }
                out <- ball;
            }
        }

        pub fn main() {
            let to_ping = chan![Box<Ball>];
            let to_pong = chan![Box<Ball>];
            let done = chan![Box<Ball>];
            go!(player("ping", to_ping.receiver(), to_pong.sender(), done.sender()));
            go!(player("pong", to_pong.receiver(), to_ping.sender(), done.sender()));
            to_ping <- Box::new(Ball::default()); // game on; toss the ball
            let ball = (<-done).unwrap(); // game over; grab the ball
            println!("game over after {} hits", ball.hits);
        }
    }

    // ---------------------------------------------------------- prime_sieve
    mod prime_sieve {
        use super::*;

        // Send the sequence 2, 3, 4, ... to channel 'ch'.
        fn generate(ch: Sender<i32>) {
            let mut i = 2; // Rust has no `for i := 2; ; i++`
            loop {
                ch <- i; // Send 'i' to channel 'ch'.
                i += 1;
            }
        }

        // Copy the values from channel 'in' to channel 'out',
        // removing those divisible by 'prime'.
        fn filter(in_: Receiver<i32>, out: Sender<i32>, prime: i32) {
            loop {
                let i = (<-in_).unwrap(); // Receive value from 'in'.
                if i % prime != 0 {
                    out <- i; // Send 'i' to 'out'.
                }
            }
        }

        // The prime sieve: Daisy-chain Filter processes.
        pub fn main() {
            let mut ch = chan![i32]; // Create a new channel.
            go!(generate(ch.sender())); // Launch Generate goroutine.
            for _i in 0..20 {
                let prime = (<-ch).unwrap();
                println!("{}", prime);
                let ch1 = chan![i32];
                go!(filter(ch.receiver(), ch1.sender(), prime));
                ch = ch1;
            }
        }
    }

    // --------------------------------------------------------------- fan_in
    mod fan_in {
        use super::*;

        fn boring(msg: &'static str, n: i32) -> Receiver<String> {
            let c = chan![String];
            {
                let c = c.clone();
                go! {
                    for i in 0..n {
                        c <- format!("{} {}", msg, i);
                    }
                    c.close();
                };
            }
            c.receiver()
        }

        fn fan_in(input1: Receiver<String>, input2: Receiver<String>) -> Receiver<String> {
            let c = chan![String];
            {
                let c = c.clone();
                go! {
                    for s in &input1 {
                        c <- s;
                    }
                };
            }
            {
                let c = c.clone();
                go! {
                    for s in &input2 {
                        c <- s;
                    }
                };
            }
            c.receiver()
        }

        pub fn main() {
            let c = fan_in(boring("Joe", 5), boring("Ann", 5));
            let mut msgs: Vec<String> = Vec::new();
            for _i in 0..10 {
                msgs.push((<-c).unwrap());
            }
            msgs.sort();
            for m in &msgs {
                println!("{}", m);
            }
            println!("You're both boring; I'm leaving.");
        }
    }

    // -------------------------------------------------------- fan_in_select
    mod fan_in_select {
        use super::*;

        fn boring(msg: &'static str, n: i32) -> Receiver<String> {
            let c = chan![String];
            {
                let c = c.clone();
                go! {
                    for i in 0..n {
                        c <- format!("{} {}", msg, i);
                    }
                    c.close();
                };
            }
            c.receiver()
        }

        fn fan_in(mut input1: Receiver<String>, mut input2: Receiver<String>) -> Receiver<String> {
            let c = chan![String];
            {
                let c = c.clone();
                go! {
                    while !input1.is_nil() || !input2.is_nil() {
                        select! {
                            s = <-input1 => {
                                // Go: s, ok := <-input1; if !ok { ... }
                                let Some(s) = s else {
                                    input1 = Receiver::nil();
                                    continue;
                                };
                                c <- s;
                            }
                            s = <-input2 => {
                                let Some(s) = s else {
                                    input2 = Receiver::nil();
                                    continue;
                                };
                                c <- s;
                            }
                        }
                    }
                    c.close();
                };
            }
            c.receiver()
        }

        pub fn main() {
            let mut msgs: Vec<String> = Vec::new();
            for s in &fan_in(boring("Joe", 4), boring("Ann", 6)) {
                msgs.push(s);
            }
            msgs.sort();
            for m in &msgs {
                println!("{}", m);
            }
            println!("merged {} messages", msgs.len());
        }
    }

    // ---------------------------------------------------------- worker_pool
    mod worker_pool {
        use super::*;

        // Go's `result` (Rust's `Result` is taken).
        struct JobResult {
            job: i32,
            value: i32,
        }

        // Go allows an unused parameter; Rust wants it marked.
        fn worker(_id: i32, jobs: Receiver<i32>, results: Sender<JobResult>) {
            for j in &jobs {
                time::sleep(ms(10)); // simulate an expensive task
                results <- JobResult { job: j, value: j * 2 };
            }
        }

        pub fn main() {
            const NUM_JOBS: i32 = 9;
            let jobs = chan![i32; NUM_JOBS as usize];
            let results = chan![JobResult; NUM_JOBS as usize];

            for w in 1..=3 {
                go!(worker(w, jobs.receiver(), results.sender()));
            }

            for j in 1..=NUM_JOBS {
                jobs <- j;
            }
            jobs.close();

            let mut out = Vec::with_capacity(NUM_JOBS as usize);
            for _a in 1..=NUM_JOBS {
                out.push((<-results).unwrap());
            }
            out.sort_by_key(|r| r.job);
            for r in &out {
                println!("job {} result {}", r.job, r.value);
            }
        }
    }

    // ------------------------------------------------------------- pipeline
    mod pipeline {
        use super::*;

        // Go's variadic `nums ...int`: a Vec.
        fn r#gen(nums: Vec<i32>) -> Receiver<i32> {
            let out = chan![i32];
            {
                let out = out.clone();
                go! {
                    for n in nums {
                        out <- n;
                    }
                    out.close();
                };
            }
            out.receiver()
        }

        fn sq(in_: Receiver<i32>) -> Receiver<i32> {
            let out = chan![i32];
            {
                let out = out.clone();
                go! {
                    for n in &in_ {
                        out <- n * n;
                    }
                    out.close();
                };
            }
            out.receiver()
        }

        pub fn main() {
            // Set up the pipeline.
            let c = r#gen(vec![2, 3]);
            let out = sq(c);

            // Consume the output.
            println!("{}", (<-out).unwrap()); // 4
            println!("{}", (<-out).unwrap()); // 9

            // Since sq has the same type for inbound and outbound channels,
            // we can compose it any number of times.
            let mut sum = 0;
            for n in &sq(sq(r#gen(vec![1, 2, 3, 4, 5]))) {
                println!("{}", n);
                sum += n;
            }
            println!("sum {}", sum);
        }
    }

    // ------------------------------------------------------------- timeouts
    mod timeouts {
        use super::*;

        pub fn main() {
            let c1 = chan![&'static str; 1];
            {
                let c1 = c1.clone();
                go! {
                    time::sleep(secs(2));
                    c1 <- "result 1";
                };
            }

            select! {
                res = <-c1 => { println!("{}", res.unwrap()); }
                <-time::after(secs(1)) => { println!("timeout 1"); }
            }

            let c2 = chan![&'static str; 1];
            {
                let c2 = c2.clone();
                go! {
                    time::sleep(secs(1));
                    c2 <- "result 2";
                };
            }
            select! {
                res = <-c2 => { println!("{}", res.unwrap()); }
                <-time::after(secs(2)) => { println!("timeout 2"); }
            }
        }
    }

    // --------------------------------------------------------- non_blocking
    mod non_blocking {
        pub fn main() {
            let messages = chan![&'static str];
            let signals = chan![bool];

            select! {
                msg = <-messages => { println!("received message {}", msg.unwrap()); }
                default => { println!("no message received"); }
            }

            let msg = "hi";
            select! {
                messages <- msg => { println!("sent message {}", msg); }
                default => { println!("no message sent"); }
            }

            select! {
                msg = <-messages => { println!("received message {}", msg.unwrap()); }
                sig = <-signals => { println!("received signal {}", sig.unwrap()); }
                default => { println!("no activity"); }
            }

            // With room in a buffer the same send succeeds, and then the receive.
            let buffered = chan![&'static str; 1];
            select! {
                buffered <- msg => { println!("sent message {}", msg); }
                default => { println!("no message sent"); }
            }
            select! {
                buffered <- "again" => { println!("sent message again"); }
                default => { println!("buffer full"); }
            }
            select! {
                msg = <-buffered => { println!("received message {}", msg.unwrap()); }
                default => { println!("no message received"); }
            }
        }
    }

    // ----------------------------------------------------- closing_channels
    mod closing_channels {
        pub fn main() {
            let jobs = chan![i32; 5];
            let done = chan![bool];

            {
                let (jobs, done) = (jobs.clone(), done.clone());
                go! {
                    loop {
                        // Go: j, more := <-jobs; if more { ... } else { ... }
                        if let Some(j) = <-jobs {
                            println!("received job {}", j);
                        } else {
                            println!("received all jobs");
                            done <- true;
                            return;
                        }
                    }
                };
            }

            for j in 1..=3 {
                jobs <- j;
            }
            jobs.close();
            <-done;
            println!("sent all jobs");

            // A receive on a closed, drained channel yields the zero value at once.
            let r = <-jobs; // Go: j, ok := <-jobs (Rust: None; 0 is Go's zero value)
            let (j, ok) = (r.unwrap_or_default(), r.is_some());
            println!("received more jobs: {} {}", j, ok);
        }
    }

    // -------------------------------------------------- range_over_channels
    mod range_over_channels {
        use super::*;

        fn counter(n: i32) -> Receiver<i32> {
            let out = chan![i32];
            {
                let out = out.clone();
                go! {
                    defer!(out.close());
                    for i in 1..=n {
                        out <- i * 10;
                    }
                };
            }
            out.receiver()
        }

        pub fn main() {
            let queue = chan![&'static str; 2];
            queue <- "one";
            queue <- "two";
            queue.close();

            for elem in &queue {
                println!("{}", elem);
            }

            for v in &counter(4) {
                println!("got {}", v);
            }
            println!("done");
        }
    }

    // ------------------------------------------------- recover_in_goroutine
    mod recover_in_goroutine {
        use super::*;

        fn worker(id: i32, results: Sender<String>) {
            defer! {
                if let Some(r) = recover() {
                    results <- format!("worker {} recovered: {}", id, r);
                }
            }
            if id % 2 == 0 {
                panic!("worker {} failed", id);
            }
            results <- format!("worker {} done", id);
        }

        // Go: (q int, err error) with named results; the deferred function
        // sets err. Here it returns the results instead, and `None` is the
        // nil error.
        fn safe_div(a: i32, b: i32) -> (i32, Option<String>) {
            defer! {
                if let Some(r) = recover() {
                    return (0, Some(format!("recovered: {}", r)));
                }
            }
            if b == 0 {
                panic!("division by zero");
            }
            (a / b, None)
        }

        fn defer_order(log: Sender<String>) {
            defer!(log.close());
            defer! {
                if let Some(r) = recover() {
                    log <- format!("recovered: {}", r);
                }
            }
            for i in 1..=3 {
                // Go: defer func(i int) { ... }(i). A defer! in a loop moves
                // what it captures, so it gets its own handle.
                let log = log.clone();
                defer! { log <- format!("deferred {}", i); }
            }
            panic!("unwinding");
        }

        pub fn main() {
            let results = chan![String];
            for i in 1..=4 {
                go!(worker(i, results.sender()));
            }
            let mut lines: Vec<String> = Vec::new();
            for _i in 1..=4 {
                lines.push((<-results).unwrap());
            }
            lines.sort();
            for l in &lines {
                println!("{}", l);
            }

            let qc = chan![String];
            {
                let qc = qc.clone();
                go! {
                    // Go prints a nil error as <nil>.
                    let (q, err) = safe_div(7, 2);
                    qc <- format!("{} {}", q, err.as_deref().unwrap_or("<nil>"));
                    let (q, err) = safe_div(7, 0);
                    qc <- format!("{} {}", q, err.as_deref().unwrap_or("<nil>"));
                };
            }
            println!("{}", (<-qc).unwrap());
            println!("{}", (<-qc).unwrap());

            let log = chan![String];
            go!(defer_order(log.sender()));
            for l in &log {
                println!("{}", l);
            }
        }
    }

    // --------------------------------------------------------- loop_capture
    mod loop_capture {
        use super::*;

        fn report(i: i32, out: Sender<i32>) {
            out <- i * i;
        }

        fn in_turn(i: i32, turn: Receiver<bool>, next: Sender<bool>) {
            <-turn;
            println!("goroutine {}", i);
            next <- true;
        }

        pub fn main() {
            let out = chan![i32];
            for i in 0..5 {
                go!(report(i, out.sender()));
            }
            let mut got: Vec<i32> = Vec::new();
            for _i in 0..5 {
                got.push((<-out).unwrap());
            }
            got.sort();
            println!("{}", go_slice(&got));

            // The same with a func literal: before Go 1.22 every closure would share
            // the one loop variable, so each gets its own copy first.
            // (Rust's `for` binds a fresh i per iteration, and go! {} moves it in;
            // it is the channel handle that each goroutine needs its own copy of.)
            for i in 0..5 {
                let out = out.clone();
                go! { out <- i * i; };
            }
            got.clear();
            for _i in 0..5 {
                got.push((<-out).unwrap());
            }
            got.sort();
            println!("{}", go_slice(&got));

            let first = chan![bool];
            let mut turn = first.clone();
            for i in 0..5 {
                let next = chan![bool];
                go!(in_turn(i, turn.receiver(), next.sender()));
                turn = next;
            }
            first <- true;
            <-turn;
            println!("all done");
        }
    }

    // ------------------------------------------------------------ buffering
    mod buffering {
        pub fn main() {
            let messages = chan![&'static str];
            {
                let messages = messages.clone();
                go! { messages <- "ping"; };
            }
            let msg = (<-messages).unwrap();
            println!("{}", msg);
            println!("unbuffered len {} cap {}", messages.len(), messages.cap());

            let buffered = chan![&'static str; 2];
            buffered <- "buffered";
            buffered <- "channel";
            println!("buffered len {} cap {}", buffered.len(), buffered.cap());
            println!("{}", (<-buffered).unwrap());
            println!("{}", (<-buffered).unwrap());
            println!("buffered len {} cap {}", buffered.len(), buffered.cap());

            // An unbuffered send completes only once received: the receiver's
            // acknowledgement always comes after the value.
            let ack = chan![String];
            let data = chan![i32];
            {
                let (ack, data) = (ack.clone(), data.clone());
                go! {
                    let v = (<-data).unwrap();
                    ack <- format!("got {}", v);
                };
            }
            data <- 42;
            println!("{}", (<-ack).unwrap());
        }
    }

    // --------------------------------------------------- channel_directions
    mod channel_directions {
        use super::*;

        fn ping(pings: Sender<&'static str>, msg: &'static str) {
            pings <- msg;
        }

        fn pong(pings: Receiver<&'static str>, pongs: Sender<&'static str>) {
            let msg = (<-pings).unwrap();
            pongs <- msg;
        }

        pub fn main() {
            let pings = chan![&'static str; 1];
            let pongs = chan![&'static str; 1];
            ping(pings.sender(), "passed message");
            pong(pings.receiver(), pongs.sender());
            println!("{}", (<-pongs).unwrap());

            let p = chan![&'static str];
            let q = chan![&'static str];
            go!(pong(p.receiver(), q.sender()));
            go!(ping(p.sender(), "passed between goroutines"));
            println!("{}", (<-q).unwrap());
        }
    }

    // --------------------------------------------------------------- select
    mod select {
        use super::*;

        pub fn main() {
            let c1 = chan![&'static str];
            let c2 = chan![&'static str];

            {
                let c1 = c1.clone();
                go! {
                    time::sleep(secs(1));
                    c1 <- "one";
                };
            }
            {
                let c2 = c2.clone();
                go! {
                    time::sleep(secs(2));
                    c2 <- "two";
                };
            }

            for _i in 0..2 {
                select! {
                    msg1 = <-c1 => { println!("received {}", msg1.unwrap()); }
                    msg2 = <-c2 => { println!("received {}", msg2.unwrap()); }
                }
            }
        }
    }

    // --------------------------------------------------------------- timers
    mod timers {
        use super::*;

        pub fn main() {
            let timer1 = time::new_timer(ms(500));
            <-timer1.c;
            println!("Timer 1 fired");

            let timer2 = time::new_timer(secs(1));
            {
                // A Timer is not Clone: the goroutine takes a handle to its channel.
                let c = timer2.c.clone();
                go! {
                    <-c;
                    println!("Timer 2 fired");
                };
            }
            let stop2 = timer2.stop();
            if stop2 {
                println!("Timer 2 stopped");
            }
            time::sleep(secs(2));

            println!("Timer 1 stop after firing: {}", timer1.stop());

            let timer3 = time::new_timer(secs(3600));
            println!("Timer 3 reset while active: {}", timer3.reset(ms(100)));
            <-timer3.c;
            println!("Timer 3 fired");
        }
    }

    // -------------------------------------------------------------- tickers
    mod tickers {
        use super::*;

        pub fn main() {
            let ticker = time::new_ticker(ms(500));
            let done = chan![bool];

            {
                // A Ticker is not Clone (and stops when dropped): the
                // goroutine takes a handle to its channel.
                let (c, done) = (ticker.c.clone(), done.clone());
                go! {
                    for i in 1..=3 {
                        <-c;
                        println!("Tick {}", i);
                    }
                    done <- true;
                };
            }

            <-done;
            ticker.stop();
            println!("Ticker stopped");

            select! {
                <-ticker.c => { println!("unexpected tick"); }
                <-time::after(secs(1)) => { println!("no tick after Stop"); }
            }
        }
    }

    // ------------------------------------------------------- quit_generator
    mod quit_generator {
        use super::*;

        fn cleanup() {
            println!("cleaning up");
        }

        fn boring(msg: &'static str, quit: Chan<&'static str>) -> Receiver<String> {
            let c = chan![String];
            {
                let c = c.clone();
                go! {
                    let mut i = 0; // Rust has no `for i := 0; ; i++`
                    loop {
                        select! {
                            c <- format!("{} {}", msg, i) => {
                                // do nothing
                            }
                            <-quit => {
                                cleanup();
                                quit <- "See you!";
                                return;
                            }
                        }
                        i += 1;
                    }
                };
            }
            c.receiver()
        }

        pub fn main() {
            let quit = chan![&'static str];
            let c = boring("Joe", quit.clone());
            for _i in (0..=5).rev() {
                println!("{}", (<-c).unwrap());
            }
            quit <- "Bye!";
            // Go's %q; Rust's {:?} quotes a plain ASCII string the same way.
            println!("Joe says: {:?}", (<-quit).unwrap());
        }
    }

    // ------------------------------------------------------------- deadlock
    mod deadlock {
        use super::*;

        fn worker(jobs: Receiver<i32>, results: Sender<i32>) {
            let j = (<-jobs).unwrap();
            results <- j * 2;
        }

        pub fn main() {
            let jobs = chan![i32];
            let results = chan![i32];
            go!(worker(jobs.receiver(), results.sender()));
            println!("waiting for a result");
            println!("{}", (<-results).unwrap());
            println!("unreachable");
        }
    }

    // ------------------------------------------------------ goroutine_panic
    mod goroutine_panic {
        pub fn main() {
            let done = chan![bool];
            defer! { println!("main's defer: never printed"); }
            println!("starting worker");
            go! {
                defer! { println!("worker's defer runs before the crash"); }
                panic!("something went wrong");
            };
            <-done;
            println!("unreachable");
        }
    }

    // --------------------------------------------------------- done_channel
    mod done_channel {
        use super::*;

        fn worker(done: Sender<bool>) {
            print!("working...");
            time::sleep(ms(100));
            println!("done");

            done <- true;
        }

        pub fn main() {
            let done = chan![bool; 1];
            go!(worker(done.sender()));
            <-done;

            let start = chan![()];
            let finished = chan![i32; 3];
            for i in 1..=3 {
                // Go: go func(id int) { ... }(i)
                let (start, finished) = (start.clone(), finished.clone());
                go! {
                    <-start; // blocks until start is closed
                    finished <- i * 10;
                };
            }
            start.close(); // broadcast: every receiver proceeds
            let mut total = 0;
            for _i in 0..3 {
                total += (<-finished).unwrap();
            }
            println!("total {}", total);
        }
    }

    // ------------------------------------------------------------ semaphore
    mod semaphore {
        use super::*;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicI32, Ordering::SeqCst};

        // Go's index loop `for i := 0; i < 6; i++ { ... results[i] ... }`, kept.
        #[allow(clippy::needless_range_loop)]
        pub fn main() {
            let sem = chan![(); 2];
            // Go: var active, maxActive int32 with sync/atomic; shared by Arc.
            let active = Arc::new(AtomicI32::new(0));
            let max_active = Arc::new(AtomicI32::new(0));
            let mut results: Vec<Chan<String>> = vec![Chan::nil(); 6];
            for r in results.iter_mut() {
                *r = chan![String; 1];
            }
            for i in 0..6 {
                // Go: go func(i int) { ... }(i)
                let (sem, active, max_active, result) =
                    (sem.clone(), active.clone(), max_active.clone(), results[i].clone());
                go! {
                    sem <- (); // acquire
                    defer! { <-sem; } // release
                    let n = active.fetch_add(1, SeqCst) + 1;
                    loop {
                        let m = max_active.load(SeqCst);
                        if n <= m || max_active.compare_exchange(m, n, SeqCst, SeqCst).is_ok() {
                            break;
                        }
                    }
                    time::sleep(ms(20));
                    active.fetch_sub(1, SeqCst);
                    result <- format!("task {} done", i);
                };
            }
            for r in &results {
                println!("{}", (<-r).unwrap());
            }
            println!("at most 2 at once: {}", max_active.load(SeqCst) <= 2);
        }
    }

    // --------------------------------------------------- stateful_goroutine
    mod stateful_goroutine {
        use super::*;
        use std::collections::HashMap;

        // Go copies a struct on send; the port clones it (a cloned Chan is
        // the same channel, like Go's copied channel value).
        #[derive(Clone)]
        struct ReadOp {
            key: i32,
            resp: Chan<i32>,
        }

        #[derive(Clone)]
        struct WriteOp {
            key: i32,
            val: i32,
            resp: Chan<bool>,
        }

        pub fn main() {
            let reads = chan![ReadOp];
            let writes = chan![WriteOp];

            {
                let (reads, writes) = (reads.clone(), writes.clone());
                go! {
                    let mut state: HashMap<i32, i32> = HashMap::new();
                    loop {
                        select! {
                            read = <-reads => {
                                let read = read.unwrap();
                                // Go's map yields 0 for a missing key.
                                read.resp <- state.get(&read.key).copied().unwrap_or_default();
                            }
                            write = <-writes => {
                                let write = write.unwrap();
                                *state.entry(write.key).or_default() += write.val;
                                write.resp <- true;
                            }
                        }
                    }
                };
            }

            let done = chan![bool];
            for w in 0..4 {
                // Go: go func(w int) { ... }(w)
                let (writes, done) = (writes.clone(), done.clone());
                go! {
                    for i in 0..25 {
                        let write = WriteOp { key: i % 5, val: w + 1, resp: chan![bool] };
                        writes <- write.clone();
                        <-write.resp;
                    }
                    done <- true;
                };
            }
            for _w in 0..4 {
                <-done;
            }

            for k in 0..5 {
                let read = ReadOp { key: k, resp: chan![i32] };
                reads <- read.clone();
                println!("key {} = {}", k, (<-read.resp).unwrap());
            }
        }
    }

    // -------------------------------------------------------- request_reply
    mod request_reply {
        use super::*;

        fn server(requests: Receiver<Chan<i32>>) {
            let mut i = 1; // Rust has no `for i := 1; ; i++`
            loop {
                let reply = (<-requests).unwrap();
                reply <- i * i;
                i += 1;
            }
        }

        pub fn main() {
            let requests = chan![Chan<i32>];
            go!(server(requests.receiver()));
            for _i in 0..3 {
                let reply = chan![i32];
                requests <- reply.clone();
                println!("reply {}", (<-reply).unwrap());
            }

            let chch = chan![Chan<&'static str>; 1];
            let inner = chan![&'static str; 1];
            inner <- "nested";
            chch <- inner;
            // Go: fmt.Println(<-<-chch). The inner receive gives an
            // Option<Chan<_>>, which `<-` takes as a maybe-nil channel.
            println!("{}", (<-<-chch).unwrap());
        }
    }

    // -------------------------------------------------------- rate_limiting
    mod rate_limiting {
        use super::*;
        use std::time::Instant;

        pub fn main() {
            let requests = chan![i32; 5];
            for i in 1..=5 {
                requests <- i;
            }
            requests.close();

            let limiter = time::tick(ms(200));
            let mut start = Instant::now();
            for req in &requests {
                <-limiter;
                println!("request {}", req);
            }
            println!("throttled: {}", time::since(start) >= ms(800));

            let bursty_limiter = chan![Instant; 3];
            for _i in 0..3 {
                bursty_limiter <- Instant::now();
            }
            {
                let bursty_limiter = bursty_limiter.clone();
                go! {
                    for t in &time::tick(ms(200)) {
                        bursty_limiter <- t;
                    }
                };
            }

            let bursty_requests = chan![i32; 5];
            for i in 1..=5 {
                bursty_requests <- i;
            }
            bursty_requests.close();
            start = Instant::now();
            for req in &bursty_requests {
                <-bursty_limiter;
                println!("bursty request {}", req);
            }
            println!("throttled after the burst: {}", time::since(start) >= ms(300));
        }
    }

    // ------------------------------------------------------- send_on_closed
    mod send_on_closed {
        pub fn main() {
            let ch = chan![i32; 1];
            defer! { println!("deferred: runs while panicking"); }
            ch <- 1;
            ch.close();
            println!("received {}", (<-ch).unwrap());
            let r = <-ch; // Go: v, ok := <-ch (Rust: None; 0 is Go's zero value)
            let (v, ok) = (r.unwrap_or_default(), r.is_some());
            println!("after close: {} {}", v, ok);
            ch <- 2;
            println!("unreachable");
        }
    }

    // ---------------------------------------------------------- nil_channel
    mod nil_channel {
        use super::*;

        pub fn main() {
            let ch: Chan<i32> = Chan::nil(); // Go: var ch chan int (nil)
            select! {
                v = <-ch => { println!("unreachable {}", v.unwrap()); }
                default => { println!("a nil channel is never ready"); }
            }
            println!("receiving from a nil channel");
            <-ch;
        }
    }

    // --------------------------------------------------------- empty_select
    mod empty_select {
        pub fn main() {
            let done = chan![bool];
            {
                let done = done.clone();
                go! {
                    println!("worker done");
                    done.close();
                };
            }
            <-done;
            println!("main blocks forever");
            select! {}
        }
    }
}

// ------------------------------------------------------------------ harness

/// How a Go program ends.
#[derive(Clone, Copy, Debug)]
enum Ending {
    /// main returns: exit status 0, nothing on stderr.
    Exit0,
    /// A fatal error: exit status 2, stderr starting with these lines, where
    /// `{N}` stands for a goroutine number (Go's and goru's differ).
    Fatal(&'static [&'static str]),
}

/// The test body for port `name`: in a child for it, runs the program;
/// otherwise runs the children and checks what they print.
fn check_port(name: &str, main: fn(), expected_stdout: &str, ending: Ending) {
    match std::env::var(PORT_ENV) {
        Ok(port) if port == name => run_as_go_main(main),
        Ok(_) => {} // a child for another port (--exact makes this unreachable)
        Err(_) => {
            let runs: Vec<(&str, ChildOutput)> = std::thread::scope(|s| {
                let handles: Vec<_> = WORKER_COUNTS
                    .iter()
                    .map(|&w| (w, s.spawn(move || run_child(name, w))))
                    .collect();
                handles
                    .into_iter()
                    .map(|(w, h)| (w, h.join().expect("child runner thread")))
                    .collect()
            });
            for (workers, out) in &runs {
                check_child(name, workers, out, expected_stdout, ending);
            }
        }
    }
}

/// In the child: runs `main` as a Go program's main, between the markers.
fn run_as_go_main(main: fn()) -> ! {
    let mut stdout = std::io::stdout();
    // libtest may have printed "test <name> ... " without a newline.
    let _ = write!(stdout, "\n{BEGIN}");
    let _ = stdout.flush();
    let runtime = goru::Builder::new().foreign_threads_can_wake(false).build();
    runtime.block_on(main);
    // Go: the program ends when main returns; other goroutines just stop.
    let _ = write!(stdout, "{END}");
    let _ = stdout.flush();
    std::process::exit(0)
}

/// Re-runs this test binary for port `name` with `workers` worker threads.
fn run_child(name: &str, workers: &str) -> ChildOutput {
    run_guarded(
        rerun_test(name)
            .env(PORT_ENV, name)
            .env("GOMAXPROCS", workers),
        GUARD,
    )
}

fn check_child(name: &str, workers: &str, out: &ChildOutput, expected: &str, ending: Ending) {
    let describe = || {
        format!(
            "port {name} with GOMAXPROCS={workers}: exit code {:?}, signal {:?}{}, {:?}\n\
             --- expected stdout (Go) ---\n{expected}\
             --- child stdout ---\n{}\n--- child stderr ---\n{}",
            out.code,
            out.signal,
            if out.hung {
                ", KILLED after the guard"
            } else {
                ""
            },
            out.elapsed,
            out.stdout,
            out.stderr
        )
    };
    assert!(!out.hung, "child hung\n{}", describe());
    assert_eq!(out.signal, None, "child died of a signal\n{}", describe());
    let Some(begin) = out.stdout.find(BEGIN) else {
        panic!("child never started the program\n{}", describe());
    };
    let after = &out.stdout[begin + BEGIN.len()..];
    match ending {
        Ending::Exit0 => {
            assert_eq!(out.code, Some(0), "exit code\n{}", describe());
            let Some(end) = after.find(END) else {
                panic!("program did not return\n{}", describe());
            };
            assert!(
                after[end..] == *END,
                "output after the end marker\n{}",
                describe()
            );
            assert!(
                after[..end] == *expected,
                "stdout differs from Go's\n{}",
                describe()
            );
            assert!(
                out.stderr.is_empty(),
                "Go prints nothing on stderr here\n{}",
                describe()
            );
        }
        Ending::Fatal(head) => {
            assert_eq!(out.code, Some(2), "exit code\n{}", describe());
            assert!(
                after == expected,
                "stdout differs from Go's\n{}",
                describe()
            );
            let mut lines = out.stderr.lines();
            for want in head {
                let got = lines.next().unwrap_or("<end of stderr>");
                assert!(
                    line_matches(want, got),
                    "stderr line {got:?} should be {want:?}\n{}",
                    describe()
                );
            }
        }
    }
}

/// `want` with `{N}` matching a goroutine number (one or more digits).
fn line_matches(want: &str, got: &str) -> bool {
    match want.split_once("{N}") {
        None => want == got,
        Some((pre, post)) => got
            .strip_prefix(pre)
            .and_then(|rest| rest.strip_suffix(post))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
    }
}

/// One `#[test]` per port, named like its module and files; plus `PORTS`.
macro_rules! go_ports {
    (@ending) => { Ending::Exit0 };
    (@ending $e:expr) => { $e };
    ($($name:ident $(=> $ending:expr)?),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_port(
                    stringify!($name),
                    $name::main,
                    include_str!(concat!("go_ports/expected/", stringify!($name), ".out")),
                    go_ports!(@ending $($ending)?),
                );
            }
        )*
        const PORTS: &[&str] = &[$(stringify!($name)),*];
    };
}

go_ports! {
    ping_pong,
    prime_sieve,
    fan_in,
    fan_in_select,
    worker_pool,
    pipeline,
    timeouts,
    non_blocking,
    closing_channels,
    range_over_channels,
    recover_in_goroutine,
    loop_capture,
    buffering,
    channel_directions,
    select,
    timers,
    tickers,
    quit_generator,
    done_channel,
    semaphore,
    stateful_goroutine,
    request_reply,
    rate_limiting,
    deadlock => Ending::Fatal(&[
        "fatal error: all goroutines are asleep - deadlock!",
        "",
        "goroutine 1 [chan receive]:",
    ]),
    goroutine_panic => Ending::Fatal(&[
        "panic: something went wrong",
        "",
        "goroutine {N} [running]:",
    ]),
    send_on_closed => Ending::Fatal(&[
        "panic: send on closed channel",
        "",
        "goroutine 1 [running]:",
    ]),
    nil_channel => Ending::Fatal(&[
        "fatal error: all goroutines are asleep - deadlock!",
        "",
        "goroutine 1 [chan receive (nil chan)]:",
    ]),
    empty_select => Ending::Fatal(&[
        "fatal error: all goroutines are asleep - deadlock!",
        "",
        "goroutine 1 [select (no cases)]:",
    ]),
}

/// Every Go program in tests/go_ports/go has a port here, and vice versa.
#[test]
fn every_go_program_is_ported() {
    if std::env::var_os(PORT_ENV).is_some() {
        return;
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/go_ports/go");
    let mut go: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/go_ports/go")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|f| f.strip_suffix(".go").map(str::to_string))
        .collect();
    go.sort();
    let mut ported: Vec<String> = PORTS.iter().map(|s| s.to_string()).collect();
    ported.sort();
    assert_eq!(go, ported);
}
