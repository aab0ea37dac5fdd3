//! Runs the real-world and pitfall programs in examples/ (built by
//! `cargo test` with the tests) and checks what they print. Each program
//! reports in a fixed order, so most outputs are compared exactly.

mod common;

use common::{example_stdout, run_example};

/// The `wrong` variant of a pitfall ends in Go's deadlock report, exit 2.
#[track_caller]
fn assert_wrong_deadlocks(name: &str) -> String {
    let out = run_example(name, &["wrong"]);
    assert_eq!(out.code, Some(2), "{name} wrong: {}", out.describe());
    assert!(
        out.stderr
            .starts_with("fatal error: all goroutines are asleep - deadlock!\n"),
        "{name} wrong: {}",
        out.describe()
    );
    out.stdout
}

#[test]
fn image_upload() {
    assert_eq!(
        example_stdout("image_upload"),
        "thumbnail: sunset_thumb_500x375.jpg\n\
         stored at: https://cdn.example.com/sunset.jpg\n\
         metadata:  #1006\n"
    );
}

#[test]
fn imageboard_page() {
    assert_eq!(
        example_stdout("imageboard_page"),
        "thread 7, viewed by anon-6\n  #71 first!\n  #72 nice picture\n    > agreed\n"
    );
}

#[test]
fn rate_limiter() {
    assert_eq!(
        example_stdout("rate_limiter"),
        "ticker: request 1\n\
         ticker: request 2\n\
         ticker: request 3\n\
         ticker: request 4\n\
         ticker: request 5\n\
         ticker: 5 requests took >= 25ms: true\n\
         bucket: request 1 served from the burst\n\
         bucket: request 2 served from the burst\n\
         bucket: request 3 served from the burst\n\
         bucket: request 4 waited for a token\n\
         bucket: request 5 waited for a token\n\
         bucket: 5 requests took >= 95ms: true\n\
         drop: 10 requests at once, 3 served, 7 dropped\n"
    );
}

#[test]
fn rate_limited_client() {
    let mut want: String = (0..12)
        .map(|id| format!("request {id:2}: item {id}\n"))
        .collect();
    want.push_str("calls made: 12\ntook >= 45ms: true\n");
    assert_eq!(example_stdout("rate_limited_client"), want);
}

#[test]
fn shared_cache() {
    let mut want: String = (1..=4)
        .map(|id| format!("reader {id}: 20 reads, consistent: true\n"))
        .collect();
    want.push_str("final: (5, 5)\n");
    assert_eq!(example_stdout("shared_cache"), want);
}

#[test]
fn bank_account() {
    assert_eq!(
        example_stdout("bank_account"),
        "balance: 1400\n\
         withdraw 10000: insufficient funds: have 1400, want 10000\n\
         balance: 1400\n"
    );
}

#[test]
fn semaphore() {
    assert_eq!(
        example_stdout("semaphore"),
        "jobs done: 10\nmax concurrency observed: 3\n"
    );
}

#[test]
fn web_scraper() {
    assert_eq!(
        example_stdout("web_scraper"),
        "https://example.com/: 33 bytes\n\
         https://example.com/slow: context deadline exceeded\n\
         https://example.com/about: 38 bytes\n\
         https://example.com/broken: panic: malformed HTML in https://example.com/broken\n\
         https://example.com/blog: 37 bytes\n"
    );
}

#[test]
fn errgroup() {
    assert_eq!(
        example_stdout("errgroup"),
        "thumbnails: done\n\
         virus scan: failed\n\
         transcode: stopped: context canceled\n\
         upload failed: virus scan: file is infected\n"
    );
}

#[test]
fn pitfall_loop_capture() {
    assert_eq!(
        example_stdout("pitfall_loop_capture"),
        "go!(show(i)):      [0, 1, 2]\n\
         go! { out <- i }: [0, 1, 2]\n\
         one shared i:      [3, 3, 3]\n"
    );
}

#[test]
fn pitfall_forgot_close() {
    let right = run_example("pitfall_forgot_close", &[]);
    assert_eq!(right.code, Some(0), "stderr:\n{}", right.stderr);
    assert_eq!(
        right.stdout,
        "received 1\nreceived 2\nreceived 3\nchannel closed, done\n"
    );
    let stdout = assert_wrong_deadlocks("pitfall_forgot_close");
    assert_eq!(stdout, "received 1\nreceived 2\nreceived 3\n");
}

#[test]
fn pitfall_mutex_guard() {
    assert_eq!(
        example_stdout("pitfall_mutex_guard"),
        "get(gopher) = Some(\"blue\")\n\
         get(ferris) = None\n\
         get(gopher) = Some(\"blue\")\n\
         get(ferris) = None\n\
         get(ferris) = Some(\"orange\")\n"
    );
    // Which lookups got through before the forgotten unlock depends on the
    // schedule; that the program then deadlocks does not.
    assert_wrong_deadlocks("pitfall_mutex_guard");
}

#[test]
fn pitfall_unbuffered_send() {
    assert_eq!(
        example_stdout("pitfall_unbuffered_send"),
        "hello from a goroutine\nhello from the buffer\n"
    );
    let stdout = assert_wrong_deadlocks("pitfall_unbuffered_send");
    assert_eq!(stdout, "");
}

#[test]
fn data_race_fixed() {
    assert_eq!(
        example_stdout("data_race_fixed"),
        "mutex:   (2000, 2000)\nchannel: (2000, 2000)\n"
    );
}
