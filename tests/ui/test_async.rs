#[goru::test]
async fn waits() {
    std::future::ready(1).await;
}

fn main() {}
