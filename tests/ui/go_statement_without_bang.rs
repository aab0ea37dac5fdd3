use goru::prelude::*;

fn worker(id: i32) {
    println!("worker {id}");
}

goru! {
    fn start() {
        go worker(1);
    }
}

fn main() {}
