use goru::prelude::*;

goru! {
    fn take(rx: Receiver<i32>) {
        v, ok := <-rx;
        if ok {
            println!("{v}");
        }
    }
}

fn main() {}
