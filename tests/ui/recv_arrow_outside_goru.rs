// `<-` outside `goru! { }` (or go!/select!/defer!) is rustc's own syntax:
// the error below is rustc's. The fix: wrap the function in `goru! { ... }`.
use goru::prelude::*;

fn take(rx: Receiver<i32>) -> Option<i32> {
    <-rx
}

fn main() {}
