use goru::prelude::*;

fn safe() {
    defer! {
        if let Some(r) = recover() {
            println!("recovered: {r}");
        }
    }
    panic!("boom");
}

fn main() {}
