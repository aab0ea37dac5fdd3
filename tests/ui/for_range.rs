use goru::prelude::*;

goru! {
    fn drain(rx: Receiver<i32>) -> i32 {
        let mut total = 0;
        for v := range rx {
            total += v;
        }
        total
    }
}

fn main() {}
