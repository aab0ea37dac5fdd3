use goru::prelude::*;

goru! {
    fn take() {
        let v: Option<i32> = <-;
        println!("{v:?}");
    }
}

fn main() {}
