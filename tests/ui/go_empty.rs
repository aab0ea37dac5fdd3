use goru::prelude::*;

goru! {
    fn start() {
        go!();
    }
}

fn main() {}
