//! The book's 20-line taste of goru: goroutines, a channel, select with a
//! timeout, and Go's deadlock-free shutdown by closing.

// ANCHOR: all
use goru::prelude::*;

goru! {
    fn fetch(url: &'static str, results: Sender<String>) {
        time::sleep(ms(10 * url.len() as u64));     // pretend to download
        results <- format!("{url}: ok");
    }

    #[goru::main]
    fn main() {
        let results = chan![String];
        for url in ["go.dev", "rust-lang.org", "crates.io"] {
            go!(fetch(url, results.sender()));      // three downloads at once
        }
        for _ in 0..3 {
            select! {
                r = <-results => println!("{}", r.unwrap()),
                <-time::after(secs(2)) => println!("timed out"),
            }
        }
    }
}
// ANCHOR_END: all
