use goru::prelude::*;

goru! {
    fn poll(rx: Receiver<i32>) {
        select! {
            case v = <-rx => { println!("{v:?}"); }
        }
    }
}

fn main() {}
