use goru::prelude::*;

goru! {
    fn safe() {
        defer!(println!("bye"));
        if let Some(r) = recover() {
            println!("recovered: {r}");
        }
    }
}

fn main() {}
