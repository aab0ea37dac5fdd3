use goru::prelude::*;

fn worker(name: &str) {
    println!("{name}");
}

goru! {
    fn start() {
        let name = String::from("gopher");
        go!(worker(&name));
    }
}

fn main() {}
