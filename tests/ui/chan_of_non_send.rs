use goru::prelude::*;
use std::rc::Rc;

fn main() {
    let ch = chan![Rc<i32>; 1];
    drop(ch);
}
