use goru::prelude::*;

goru! {
    fn poll(tx: Sender<i32>) {
        select! {
            v = <-tx => { println!("{v:?}"); }
            default => {}
        }
    }
}

fn main() {}
