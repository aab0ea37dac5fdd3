use goru::prelude::*;

goru! {
    fn poll(tx: Sender<i32>) {
        select! {
            tx <- "one" => {}
            default => {}
        }
    }
}

fn main() {}
