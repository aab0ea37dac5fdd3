use goru::prelude::*;

fn ready() -> bool {
    true
}

goru! {
    fn poll() {
        select! {
            ready() => {}
        }
    }
}

fn main() {}
