//! Channel directions: a function that only sends takes a `chan<- T`
//! (goru: `Sender<T>`), one that only receives takes a `<-chan T`
//! (`Receiver<T>`), so the compiler rejects the wrong operation.
//!
//! ```go
//! func ping(pings chan<- string, msg string) {
//!     pings <- msg
//! }
//!
//! func pong(pings <-chan string, pongs chan<- string) {
//!     msg := <-pings
//!     pongs <- msg
//! }
//!
//! func main() {
//!     pings := make(chan string, 1)
//!     pongs := make(chan string, 1)
//!     ping(pings, "passed message")
//!     pong(pings, pongs)
//!     fmt.Println(<-pongs)
//! }
//! ```

use goru::prelude::*;

goru! {
    // ANCHOR: directions
    fn ping(pings: Sender<String>, msg: &str) {       // chan<- string
        pings <- msg.to_string();
        // `<-pings` here would not compile: a Sender cannot receive.
    }

    fn pong(pings: Receiver<String>, pongs: Sender<String>) {   // <-chan, chan<-
        let msg = (<-pings).unwrap();
        pongs <- msg;
    }
    // ANCHOR_END: directions

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let pings = chan![String; 1];
        let pongs = chan![String; 1];
        ping(pings.sender(), "passed message");   // a Chan gives out either end
        pong(pings.receiver(), pongs.sender());
        println!("{}", (<-pongs).unwrap());

        // The same functions, as goroutines on unbuffered channels.
        let pings = chan![String];
        let pongs = chan![String];
        go!(pong(pings.receiver(), pongs.sender()));
        go!(ping(pings.sender(), "passed through goroutines"));
        println!("{}", (<-pongs).unwrap());
    }
    // ANCHOR_END: main
}
