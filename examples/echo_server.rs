//! An echo server with a goroutine per connection, and clients talking to it
//! over loopback, all in one program: "accept, then `go handle(conn)`", with
//! plain blocking reads and writes that park only their goroutine.
//!
//! Coming from JavaScript: `net.createServer(sock => sock.pipe(sock))`,
//! except the handler is straight-line code instead of callbacks, and a
//! slow connection holds up nothing but its own goroutine.
//!
//! ```go
//! func handle(conn net.Conn) {
//!     defer conn.Close()
//!     r := bufio.NewReader(conn)
//!     for {
//!         line, err := r.ReadString('\n')
//!         if err != nil {
//!             return // the client hung up
//!         }
//!         fmt.Fprintf(conn, "echo: %s", line)
//!     }
//! }
//!
//! func main() {
//!     ln, _ := net.Listen("tcp", "127.0.0.1:0")
//!     go func() {
//!         for {
//!             conn, err := ln.Accept()
//!             if err != nil {
//!                 return
//!             }
//!             go handle(conn)
//!         }
//!     }()
//!     // ... clients dial ln.Addr() and print what comes back
//! }
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::Shutdown;

use goru::net::{TcpListener, TcpStream};
use goru::prelude::*;

goru! {
    // ANCHOR: server
    /// Serves one connection: echoes each line until the client hangs up.
    fn handle(conn: TcpStream) {
        let mut lines = BufReader::new(&conn).lines();
        while let Some(Ok(line)) = lines.next() {
            if writeln!(&conn, "echo: {line}").is_err() {
                return;
            }
        }
    }

    fn serve(ln: TcpListener) {
        loop {
            let Ok((conn, _peer)) = ln.accept() else { return };
            go!(handle(conn));               // a goroutine per connection
        }
    }
    // ANCHOR_END: server

    // ANCHOR: client
    /// Sends a few lines, half-closes, and returns what came back.
    fn client(addr: std::net::SocketAddr, id: usize) -> Vec<String> {
        let conn = TcpStream::connect(addr).expect("dial");
        for word in ["hello", "from", "client"] {
            writeln!(&conn, "{word} {id}").expect("write");
        }
        conn.shutdown(Shutdown::Write).expect("close write");   // Go's CloseWrite
        BufReader::new(&conn).lines().map(|l| l.expect("read")).collect()
    }
    // ANCHOR_END: client

    #[goru::main]
    fn main() {
        let ln = TcpListener::bind("127.0.0.1:0").expect("listen");
        let addr = ln.local_addr().expect("addr");
        go!(serve(ln));

        // ANCHOR: clients
        let replies: Vec<Receiver<Vec<String>>> = (1..=3)
            .map(|id| {
                let out = chan![Vec<String>; 1];
                let tx = out.sender();
                go! { tx <- client(addr, id); };
                out.receiver()
            })
            .collect();
        for (i, r) in replies.iter().enumerate() {
            let lines = (<-r).unwrap();
            println!("client {}: {}", i + 1, lines.join(" | "));
        }
        // ANCHOR_END: clients
    }
}
