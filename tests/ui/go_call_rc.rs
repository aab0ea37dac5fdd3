use goru::prelude::*;
use std::rc::Rc;

fn worker(n: Rc<i32>) {
    println!("{n}");
}

goru! {
    fn start() {
        let n = Rc::new(1);
        go!(worker(n));
    }
}

fn main() {}
