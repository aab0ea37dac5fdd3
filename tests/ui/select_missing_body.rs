use goru::prelude::*;

goru! {
    fn poll(rx: Receiver<i32>) {
        select! {
            <-rx =>
        }
    }
}

fn main() {}
