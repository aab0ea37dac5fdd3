use goru::prelude::*;

fn poll(n: i32) {
    select! {
        v = <-n => { println!("{v:?}"); }
        default => {}
    }
}

fn main() {}
