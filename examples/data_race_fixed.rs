//! A data race, fixed. This Go program has two goroutines adding to one
//! counter and appending to one slice with no synchronization. It compiles
//! and usually even prints plausible numbers; only `go run -race` (or an
//! unlucky run that loses updates or corrupts the slice) reveals the bug:
//!
//! ```go
//! func main() {
//!     counter := 0
//!     var log []string
//!     var wg sync.WaitGroup
//!     for w := 0; w < 2; w++ {
//!         wg.Add(1)
//!         go func() {
//!             defer wg.Done()
//!             for i := 0; i < 1000; i++ {
//!                 counter++                      // DATA RACE
//!                 log = append(log, "tick")      // DATA RACE
//!             }
//!         }()
//!     }
//!     wg.Wait()
//!     fmt.Println(counter, len(log))             // often 2000 2000, sometimes not
//! }
//! ```
//!
//! The same program in goru does not compile: a `go!` block must own what
//! it captures (`Send + 'static`), so once the first goroutine has taken
//! the `Vec`, the second cannot use it: rustc reports "use of moved value"
//! (tests/ui/data_race.rs is that program, with the error). An integer
//! counter would be copied into each goroutine instead, so nothing is
//! shared, and rustc warns that the copies' updates are never read. The
//! fixes below are the ones Go's race detector would send you
//! to: a mutex around the shared state, or one goroutine owning it and the
//! others sending it updates over a channel.
//!
//! Coming from JavaScript: there is no such bug in single-threaded JS, and
//! goroutines run in parallel, so the compiler has to rule it out.

use std::sync::Arc;

use goru::prelude::*;
use goru::sync::Mutex;

#[derive(Default)]
struct State {
    counter: u32,
    log: Vec<&'static str>,
}

goru! {
    // ANCHOR: mutex
    fn with_mutex() -> (u32, usize) {
        let state = Arc::new(Mutex::new(State::default()));
        let wg = WaitGroup::new();
        for _ in 0..2 {
            let (state, wg) = (state.clone(), wg.clone());
            wg.add(1);
            go! {
                defer!(wg.done());
                for _ in 0..1000 {
                    let mut s = state.lock();       // mu.Lock()
                    s.counter += 1;
                    s.log.push("tick");
                }                                   // mu.Unlock()
            };
        }
        wg.wait();
        let s = state.lock();
        (s.counter, s.log.len())
    }
    // ANCHOR_END: mutex

    // ANCHOR: channel
    fn with_channel() -> (u32, usize) {
        let ticks = chan![&'static str; 64];
        let wg = WaitGroup::new();
        for _ in 0..2 {
            let (ticks, wg) = (ticks.sender(), wg.clone());
            wg.add(1);
            go! {
                defer!(wg.done());
                for _ in 0..1000 {
                    ticks <- "tick";                // share by communicating
                }
            };
        }
        let closer = ticks.sender();
        go! {
            wg.wait();
            closer.close();
        };
        let mut state = State::default();           // owned by main alone
        for t in &ticks {
            state.counter += 1;
            state.log.push(t);
        }
        (state.counter, state.log.len())
    }
    // ANCHOR_END: channel

    #[goru::main]
    fn main() {
        println!("mutex:   {:?}", with_mutex());
        println!("channel: {:?}", with_channel());
    }
}
