use goru::prelude::*;

goru! {
    fn start(names: &Vec<String>) {
        go! {
            println!("{}", names.len());
        }
    }
}

fn main() {}
