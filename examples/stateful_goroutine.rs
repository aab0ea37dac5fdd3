//! A stateful goroutine: one goroutine owns the state outright, and every
//! other goroutine reads or changes it by sending a request (with a channel
//! for the reply). No locks: "share memory by communicating".
//!
//! Coming from JavaScript: like an actor, or a Web Worker that owns some
//! data and answers `postMessage` requests; requests are handled one at a
//! time, so they never race.
//!
//! ```go
//! type readOp struct {
//!     key  int
//!     resp chan int
//! }
//! type writeOp struct {
//!     key, delta int
//!     resp       chan bool
//! }
//!
//! func main() {
//!     reads := make(chan readOp)
//!     writes := make(chan writeOp)
//!     go func() {
//!         state := map[int]int{}
//!         for {
//!             select {
//!             case read := <-reads:
//!                 read.resp <- state[read.key]
//!             case write := <-writes:
//!                 state[write.key] += write.delta
//!                 write.resp <- true
//!             }
//!         }
//!     }()
//!
//!     var wg sync.WaitGroup
//!     for w := 1; w <= 4; w++ {
//!         wg.Add(1)
//!         go func() {
//!             defer wg.Done()
//!             for i := 0; i < 25; i++ {
//!                 write := writeOp{key: i % 5, delta: w, resp: make(chan bool)}
//!                 writes <- write
//!                 <-write.resp
//!             }
//!         }()
//!     }
//!     wg.Wait()
//!     for k := 0; k < 5; k++ {
//!         read := readOp{key: k, resp: make(chan int)}
//!         reads <- read
//!         fmt.Println("key", k, "=", <-read.resp)
//!     }
//! }
//! ```

use goru::prelude::*;
use std::collections::HashMap;

// ANCHOR: ops
struct ReadOp {
    key: u32,
    resp: Sender<i64>,
}

struct WriteOp {
    key: u32,
    delta: i64,
    resp: Sender<bool>,
}
// ANCHOR_END: ops

goru! {
    // ANCHOR: owner
    fn owner(reads: Receiver<ReadOp>, writes: Receiver<WriteOp>) {
        let mut state: HashMap<u32, i64> = HashMap::new();   // nobody else sees it
        loop {
            select! {
                read = <-reads => {
                    let read = read.unwrap();
                    read.resp <- state.get(&read.key).copied().unwrap_or(0);
                }
                write = <-writes => {
                    let write = write.unwrap();
                    *state.entry(write.key).or_default() += write.delta;
                    write.resp <- true;
                }
            }
        }
    }
    // ANCHOR_END: owner

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let reads = chan![ReadOp];
        let writes = chan![WriteOp];
        go!(owner(reads.receiver(), writes.receiver()));

        let wg = WaitGroup::new();
        for w in 1..=4 {
            wg.add(1);
            let (wg, writes) = (wg.clone(), writes.sender());
            go! {
                defer! { wg.done(); }
                for i in 0..25 {
                    let resp = chan![bool];
                    writes <- WriteOp { key: i % 5, delta: w, resp: resp.sender() };
                    <-resp;                     // wait for the owner's ack
                }
            };
        }
        wg.wait();

        for key in 0..5 {
            let resp = chan![i64];
            reads <- ReadOp { key, resp: resp.sender() };
            println!("key {key} = {}", (<-resp).unwrap());   // 5 writes × (1+2+3+4)
        }
    }
    // ANCHOR_END: main
}
