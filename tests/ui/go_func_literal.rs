use goru::prelude::*;

goru! {
    fn start(done: Chan<()>) {
        go func() {
            done <- ();
        }();
    }
}

fn main() {}
