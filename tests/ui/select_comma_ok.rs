use goru::prelude::*;

goru! {
    fn poll(rx: Receiver<i32>) {
        select! {
            v, ok = <-rx => { println!("{v:?} {ok}"); }
        }
    }
}

fn main() {}
