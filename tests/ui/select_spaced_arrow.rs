use goru::prelude::*;

goru! {
    fn give(tx: Sender<i32>) {
        select! {
            tx < - 1 => {}
        }
    }
}

fn main() {}
