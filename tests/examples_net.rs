//! The network examples (issue 14): real sockets on loopback, exact output.

mod common;

use common::example_stdout;

#[test]
fn echo_server() {
    assert_eq!(
        example_stdout("echo_server"),
        "client 1: echo: hello 1 | echo: from 1 | echo: client 1\n\
         client 2: echo: hello 2 | echo: from 2 | echo: client 2\n\
         client 3: echo: hello 3 | echo: from 3 | echo: client 3\n"
    );
}

#[test]
fn fetch() {
    assert_eq!(
        example_stdout("fetch"),
        "/: page /\n\
         /about: page /about\n\
         /slow: error: i/o timeout\n\
         /broken: error: no HTTP response\n\
         /blog: page /blog\n"
    );
}

#[test]
fn chat() {
    assert_eq!(
        example_stdout("chat"),
        "alice saw:\n  You are user1\n  user1 has arrived\n  user2 has arrived\n  \
         user1: hi bob\n  user2: hi alice\n  user2 has left\n\
         bob saw:\n  You are user2\n  user2 has arrived\n  user1: hi bob\n  user2: hi alice\n"
    );
}
