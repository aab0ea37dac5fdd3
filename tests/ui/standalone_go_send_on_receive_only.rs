use goru::prelude::*;

fn start(rx: Receiver<i32>) {
    go! {
        rx <- 1;
    }
}

fn main() {}
