//! A chat room (the one from "The Go Programming Language", §8.10): a
//! goroutine per client reads its lines, one broadcaster goroutine owns the
//! set of clients and fans every message out through each client's
//! channel, and a writer goroutine per client drains that channel into its
//! socket. No locks: the broadcaster is the only one touching the set.
//!
//! Coming from JavaScript: a WebSocket room where `io.emit` is a loop over
//! per-client queues, and a slow client only fills its own queue.
//!
//! ```go
//! type client chan<- string
//!
//! var (
//!     entering = make(chan client)
//!     leaving  = make(chan client)
//!     messages = make(chan string)
//! )
//!
//! func broadcaster() {
//!     clients := make(map[client]bool)
//!     for {
//!         select {
//!         case msg := <-messages:
//!             for cli := range clients {
//!                 cli <- msg
//!             }
//!         case cli := <-entering:
//!             clients[cli] = true
//!         case cli := <-leaving:
//!             delete(clients, cli)
//!             close(cli)
//!         }
//!     }
//! }
//!
//! func handleConn(conn net.Conn) {
//!     ch := make(chan string)
//!     go clientWriter(conn, ch)
//!     who := conn.RemoteAddr().String()
//!     ch <- "You are " + who
//!     messages <- who + " has arrived"
//!     entering <- ch
//!     input := bufio.NewScanner(conn)
//!     for input.Scan() {
//!         messages <- who + ": " + input.Text()
//!     }
//!     leaving <- ch
//!     messages <- who + " has left"
//!     conn.Close()
//! }
//! ```

use std::io::{BufRead, BufReader, Lines, Write};
use std::net::Shutdown;

use goru::net::{TcpListener, TcpStream};
use goru::prelude::*;

goru! {
    // ANCHOR: broadcaster
    /// The room: one goroutine owns the clients, so none of it needs a lock.
    fn broadcaster(
        entering: Receiver<(usize, Sender<String>)>,
        leaving: Receiver<usize>,
        messages: Receiver<String>,
    ) {
        let mut clients: Vec<(usize, Sender<String>)> = Vec::new();
        loop {
            select! {
                msg = <-messages => {
                    let Some(msg) = msg else { return };
                    for (_, cli) in &clients {
                        cli <- msg.clone();
                    }
                }
                cli = <-entering => clients.extend(cli),
                id = <-leaving => {
                    if let Some(pos) = clients.iter().position(|(c, _)| Some(*c) == id) {
                        let (_, cli) = clients.remove(pos);
                        cli.close();
                    }
                }
            }
        }
    }
    // ANCHOR_END: broadcaster

    // ANCHOR: handle
    fn handle_conn(
        conn: TcpStream,
        id: usize,
        entering: Sender<(usize, Sender<String>)>,
        leaving: Sender<usize>,
        messages: Sender<String>,
    ) {
        let ch = chan![String; 8];
        let (writer, rx) = (conn.try_clone().unwrap(), ch.receiver());
        go! {                                      // clientWriter
            for msg in rx {
                if writeln!(&writer, "{msg}").is_err() {
                    break;
                }
            }
        };
        let who = format!("user{id}");
        // Unlike the book, enter before greeting: when `join` returns, the
        // client is in the room (the demo's steps rely on it).
        entering <- (id, ch.sender());
        ch <- format!("You are {who}");
        messages <- format!("{who} has arrived");
        for line in BufReader::new(&conn).lines() {
            let Ok(line) = line else { break };
            messages <- format!("{who}: {line}");
        }
        leaving <- id;
        messages <- format!("{who} has left");
    }
    // ANCHOR_END: handle

    /// A chat client for the demo: its connection and the lines it reads.
    struct Client {
        conn: TcpStream,
        lines: Lines<BufReader<TcpStream>>,
        seen: Vec<String>,
    }

    impl Client {
        fn join(addr: std::net::SocketAddr) -> Client {
            let conn = TcpStream::connect(addr).unwrap();
            let lines = BufReader::new(conn.try_clone().unwrap()).lines();
            let mut c = Client { conn, lines, seen: Vec::new() };
            c.read(2); // "You are ...", then its own arrival
            c
        }
        fn read(&mut self, n: usize) {
            for _ in 0..n {
                let line = self.lines.next().unwrap().unwrap();
                self.seen.push(line);
            }
        }
        fn say(&self, text: &str) {
            writeln!(&self.conn, "{text}").unwrap();
        }
    }

    #[goru::main]
    fn main() {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let (entering, leaving, messages) = (chan![(usize, Sender<String>)], chan![usize], chan![String]);
        {
            let (e, l, m) = (entering.receiver(), leaving.receiver(), messages.receiver());
            go!(broadcaster(e, l, m));
        }
        go! {
            for id in 1.. {
                let Ok((conn, _)) = ln.accept() else { return };
                let (e, l, m) = (entering.sender(), leaving.sender(), messages.sender());
                go!(handle_conn(conn, id, e, l, m));
            }
        };

        // ANCHOR: demo
        // Each step waits until everyone in the room has read its line, so
        // the transcripts below come out the same on every run.
        let mut alice = Client::join(addr);
        let mut bob = Client::join(addr);
        alice.read(1);                    // "user2 has arrived"
        alice.say("hi bob");
        alice.read(1);
        bob.read(1);
        bob.say("hi alice");
        alice.read(1);
        bob.read(1);
        bob.conn.shutdown(Shutdown::Write).unwrap(); // bob leaves
        alice.read(1);
        for (name, c) in [("alice", &alice), ("bob", &bob)] {
            println!("{name} saw:");
            for line in &c.seen {
                println!("  {line}");
            }
        }
        // ANCHOR_END: demo
    }
}
