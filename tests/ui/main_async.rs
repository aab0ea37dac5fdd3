#[goru::main]
async fn main() {}
