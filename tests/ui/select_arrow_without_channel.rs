use goru::prelude::*;

goru! {
    fn poll() {
        select! {
            <- => {}
        }
    }
}

fn main() {}
