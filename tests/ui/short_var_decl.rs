use goru::prelude::*;

goru! {
    fn take(rx: Receiver<i32>) {
        v := <-rx;
        println!("{v:?}");
    }
}

fn main() {}
