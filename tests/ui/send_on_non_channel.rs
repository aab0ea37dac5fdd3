use goru::prelude::*;

goru! {
    fn give() {
        let n = 5;
        n <- 1;
    }
}

fn main() {}
