use goru::prelude::*;
use std::rc::Rc;

fn start() {
    let counter = Rc::new(0);
    go! {
        println!("{}", counter);
    }
}

fn main() {}
