//! Every form of goru's Go syntax, in one program (the book's syntax page
//! includes it piece by piece). Its output is checked by tests/examples.rs.

use goru::prelude::*;

goru! {
    // ANCHOR: go_call
    fn greet(name: String, done: Sender<()>) {
        println!("hello, {name}");
        done <- ();
    }
    // ANCHOR_END: go_call

    // ANCHOR: defer_recover
    fn safe_divide(a: i32, b: i32) -> Result<i32, String> {
        defer! {
            if let Some(r) = recover() {        // stops the panic
                return Err(format!("recovered: {r}"));   // sets the result
            }
        }
        Ok(a / b)
    }
    // ANCHOR_END: defer_recover

    // ANCHOR: defer_order
    fn cleanup_order() {
        defer!(println!("deferred 1"));         // runs last
        for i in 2..=3 {
            defer!(println!("deferred {}", i)); // function-scoped, as in Go
        }
        println!("body done");
    }
    // ANCHOR_END: defer_order

    #[goru::main]
    fn main() {
        // ANCHOR: chan
        let unbuffered = chan![String];         // make(chan string)
        let buffered = chan![i32; 3];           // make(chan int, 3)
        let inferred = chan![; 1];              // element type inferred
        inferred <- 'x';
        // ANCHOR_END: chan

        // ANCHOR: ops
        buffered <- 1;                          // send statement
        buffered <- 2;
        let first = <-buffered;                 // receive: Option<i32>
        println!("first = {first:?}, then {:?}", <-buffered);
        buffered.close();
        println!("after close: {:?}", <-buffered);   // None: closed and drained
        println!("comparison: {}", 1 < -2);     // with a space: plain Rust
        // ANCHOR_END: ops

        // ANCHOR: go
        let done = chan![()];
        go!(greet("gopher".to_string(), done.sender()));   // args evaluated now
        <-done;
        let tx = unbuffered.sender();
        go! {                                   // a block; captures by move
            tx <- "from a block".to_string();
        };
        println!("{}", (<-unbuffered).unwrap());
        // ANCHOR_END: go

        // ANCHOR: select
        let results = chan![i32; 1];
        results <- 42;
        for _ in 0..2 {
            select! {
                v = <-results => { println!("received {v:?}"); }
                <-time::after(ms(50)) => { println!("timed out"); }
            }
        }
        select! {
            inferred <- 'y' => { println!("sent without waiting"); }
            default => { println!("would block"); }
        }
        // ANCHOR_END: select

        // ANCHOR: defer_calls
        cleanup_order();
        println!("{:?}", safe_divide(7, 2));
        println!("{:?}", safe_divide(1, 0));
        // ANCHOR_END: defer_calls
        println!("{:?}", <-inferred);
    }
}
