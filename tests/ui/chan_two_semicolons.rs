use goru::prelude::*;

fn main() {
    let _ch = chan![i32; 1; 2];
}
