// `<-` outside `goru! { }` (or go!/select!/defer!) is rustc's own syntax:
// the error below is rustc's. The fix: wrap the function in `goru! { ... }`.
use goru::prelude::*;

fn give(tx: Sender<i32>) {
    tx <- 1;
}

fn main() {}
