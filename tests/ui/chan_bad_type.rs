use goru::prelude::*;

fn main() {
    // Go's slice type.
    let ch = chan![[]int];
    drop(ch);
}
