#[goru::main]
struct App;

fn main() {}
