use goru::prelude::*;

goru! {
    async fn work() {
        defer!(println!("done"));
    }
}

fn main() {}
