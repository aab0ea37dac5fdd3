use goru::prelude::*;

goru! {
    fn work() {
        let x = 1;
        defer!(x);
    }
}

fn main() {}
