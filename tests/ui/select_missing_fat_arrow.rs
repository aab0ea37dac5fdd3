use goru::prelude::*;

goru! {
    fn poll(rx: Receiver<i32>) {
        select! {
            v = <-rx { println!("{v:?}"); }
        }
    }
}

fn main() {}
