use goru::prelude::*;

goru! {
    fn consume(tx: Sender<i32>) -> Option<i32> {
        <-tx
    }
}

fn main() {}
