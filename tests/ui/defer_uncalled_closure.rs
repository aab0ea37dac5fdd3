use goru::prelude::*;

goru! {
    fn work() {
        defer!(|| println!("done"));
    }
}

fn main() {}
