use goru::prelude::*;

goru! {
    fn take() {
        let name = "gopher";
        let v = <-name;
        println!("{v:?}");
    }
}

fn main() {}
