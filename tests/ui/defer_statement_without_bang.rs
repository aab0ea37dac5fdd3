use goru::prelude::*;

goru! {
    fn work(tx: Sender<i32>) {
        defer tx.close();
        tx <- 1;
    }
}

fn main() {}
