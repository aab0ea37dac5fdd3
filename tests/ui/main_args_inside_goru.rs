use goru::prelude::*;

goru! {
    #[goru::main(crate = "goru")]
    fn main() {}
}
