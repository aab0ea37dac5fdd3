use goru::prelude::*;

fn worker(ch: Chan<i32>) {
    ch.send(1).unwrap();
}

goru! {
    fn start() {
        let ch = chan![i32];
        go!(worker(ch));
        println!("{:?}", <-ch);
    }
}

fn main() {}
