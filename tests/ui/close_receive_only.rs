use goru::prelude::*;

fn done(rx: Receiver<i32>) {
    rx.close();
}

fn main() {}
