// A data race goru rejects at compile time: two goroutines appending to one
// Vec that main owns, with no synchronization. In Go this compiles and needs
// `go run -race` to be caught; here a `go!` block must own what it captures
// (Send + 'static), so the second goroutine cannot use the Vec the first
// one took. See examples/data_race_fixed.rs for the fixes.
use goru::prelude::*;

#[goru::main]
fn main() {
    let mut log = Vec::new();
    let wg = WaitGroup::new();
    for _ in 0..2 {
        let wg = wg.clone();
        wg.add(1);
        go! {
            for _ in 0..1000 {
                log.push("tick");
            }
            wg.done();
        };
    }
    wg.wait();
}
