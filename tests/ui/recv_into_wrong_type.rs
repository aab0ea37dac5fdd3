use goru::prelude::*;

goru! {
    fn take(rx: Receiver<i32>) -> i32 {
        let v: i32 = <-rx;
        v
    }
}

fn main() {}
