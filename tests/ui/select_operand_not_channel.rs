use goru::prelude::*;

goru! {
    fn poll(n: i32) {
        select! {
            v = <-n => { println!("{v:?}"); }
        }
    }
}

fn main() {}
