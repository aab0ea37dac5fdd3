use goru::prelude::*;

goru! {
    fn give(tx: Sender<i32>) {
        tx <- "one";
    }
}

fn main() {}
