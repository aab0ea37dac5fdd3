use goru::prelude::*;

goru! {
    fn start() {
        go!(|| println!("hello"));
    }
}

fn main() {}
