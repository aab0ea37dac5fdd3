use goru::prelude::*;

goru! {
    fn produce(rx: Receiver<i32>) {
        rx <- 1;
    }
}

fn main() {}
