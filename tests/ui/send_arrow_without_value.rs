use goru::prelude::*;

goru! {
    fn give(tx: Sender<i32>) {
        tx <-;
    }
}

fn main() {}
