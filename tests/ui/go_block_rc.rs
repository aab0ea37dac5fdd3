use goru::prelude::*;
use std::rc::Rc;

goru! {
    fn start() {
        let counter = Rc::new(0);
        go! {
            println!("{}", counter);
        }
    }
}

fn main() {}
