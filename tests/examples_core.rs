//! Runs the core Go-by-Example programs in examples/ (built by `cargo test`
//! with the tests) and checks their output. Every example is written to be
//! deterministic; where a count legitimately varies the example prints an
//! invariant instead.

mod common;

use common::example_stdout;

#[test]
fn hello_goroutines() {
    let expected = "\
direct : 0
direct : 1
direct : 2
going
goroutine : 0
goroutine : 1
goroutine : 2
done
";
    assert_eq!(example_stdout("hello_goroutines"), expected);
}

#[test]
fn channels() {
    let expected = "\
ping
len 2 cap 2
buffered
channel
working...
done working
main: worker finished
";
    assert_eq!(example_stdout("channels"), expected);
}

#[test]
fn channel_directions() {
    let expected = "\
passed message
passed through goroutines
";
    assert_eq!(example_stdout("channel_directions"), expected);
}

#[test]
fn closing_and_ranging() {
    let expected = "\
sent job 1
sent job 2
sent job 3
sent all jobs
received job 1
received job 2
received job 3
received all jobs
received more jobs: false
one
two
";
    assert_eq!(example_stdout("closing_and_ranging"), expected);
}

#[test]
fn select_timeout_default() {
    let expected = "\
timeout 1
result 2
no message received
3 ticks before the deadline
";
    assert_eq!(example_stdout("select_timeout_default"), expected);
}

#[test]
fn non_blocking() {
    let expected = "\
no message received
no message sent
no activity
posted letter 1
mailbox full, letter 2 not posted
took letter 1
mailbox empty
";
    assert_eq!(example_stdout("non_blocking"), expected);
}

#[test]
fn timers_and_tickers() {
    let expected = "\
Timer 1 fired
Timer 2 stopped
Tick 1
Tick 2
Tick 3
Ticker stopped
ticker goroutine stopped: true
took at least 8ms: true
";
    assert_eq!(example_stdout("timers_and_tickers"), expected);
}

#[test]
fn waitgroup() {
    let expected = "\
a.example: 900 bytes
bb.example: 1000 bytes
ccc.example: 1100 bytes
";
    assert_eq!(example_stdout("waitgroup"), expected);
}

#[test]
fn pipeline() {
    assert_eq!(
        example_stdout("pipeline"),
        "4\n16\n36\n64\n100\npipeline drained\n"
    );
}

#[test]
fn fan_out_fan_in() {
    let expected = "\
[1, 4, 9, 16, 25, 36, 49, 64]
sum = 204
";
    assert_eq!(example_stdout("fan_out_fan_in"), expected);
}

#[test]
fn worker_pool_results() {
    let expected = "\
[1, 4, 9, 16, 25, 36, 49, 64, 81, 100]
never more than 3 in flight: true
";
    assert_eq!(example_stdout("worker_pool_results"), expected);
}

#[test]
fn producer_consumer() {
    let expected = "\
consumed 0
consumed 1
consumed 2
consumed 3
consumed 4
consumer: sum 10
producer: told to quit
main: producer sent 5 items
main: items closed: true
";
    assert_eq!(example_stdout("producer_consumer"), expected);
}

#[test]
fn generator_fibonacci() {
    let expected = "\
0
1
1
2
3
5
8
13
21
34
quit
[0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377]
generator stopped
";
    assert_eq!(example_stdout("generator_fibonacci"), expected);
}

#[test]
fn stateful_goroutine() {
    let expected = "\
key 0 = 50
key 1 = 50
key 2 = 50
key 3 = 50
key 4 = 50
";
    assert_eq!(example_stdout("stateful_goroutine"), expected);
}

#[test]
fn prime_sieve() {
    assert_eq!(
        example_stdout("prime_sieve"),
        "2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n"
    );
}
