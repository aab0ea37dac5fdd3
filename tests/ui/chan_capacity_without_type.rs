use goru::prelude::*;

fn main() {
    let ch = chan![10];
    ch.send(1).unwrap();
}
