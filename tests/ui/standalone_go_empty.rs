use goru::prelude::*;

fn main() {
    go!();
}
