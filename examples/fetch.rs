//! Fetching several URLs at once, for real: a tiny HTTP/1.1 server runs in
//! the same program on loopback, and a fetch goroutine per URL connects,
//! sends a GET and reads the answer, each under its own 200 ms timeout from
//! a context. One slow page times out, one broken page fails, and neither
//! stops the others; results print in URL order.
//!
//! Coming from JavaScript: `Promise.allSettled(urls.map(u => fetch(u, {
//! signal: AbortSignal.timeout(200) })))`, with blocking code in each task.
//!
//! ```go
//! func fetch(ctx context.Context, url string) (string, error) {
//!     ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
//!     defer cancel()
//!     req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
//!     resp, err := http.DefaultClient.Do(req)
//!     if err != nil {
//!         return "", err
//!     }
//!     defer resp.Body.Close()
//!     body, err := io.ReadAll(resp.Body)
//!     return string(body), err
//! }
//!
//! func main() {
//!     results := make([]chan string, len(paths))
//!     for i, p := range paths {
//!         results[i] = make(chan string, 1)
//!         go func(p string, out chan<- string) {
//!             body, err := fetch(context.Background(), base+p)
//!             if err != nil {
//!                 out <- p + ": error: " + err.Error()
//!                 return
//!             }
//!             out <- p + ": " + body
//!         }(p, results[i])
//!     }
//!     for _, r := range results {
//!         fmt.Println(<-r)
//!     }
//! }
//! ```

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::SocketAddr;

use goru::context::Context;
use goru::net::{TcpListener, TcpStream};
use goru::prelude::*;

const PATHS: [&str; 5] = ["/", "/about", "/slow", "/broken", "/blog"];

goru! {
    // ANCHOR: server
    /// A tiny HTTP/1.1 server: one goroutine per connection, one request each.
    fn serve(ln: TcpListener) {
        while let Ok((conn, _)) = ln.accept() {
            go! {
                let mut request_line = String::new();
                if BufReader::new(&conn).read_line(&mut request_line).is_err() {
                    return;
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
                match path.as_str() {
                    "/slow" => time::sleep(secs(5)),   // longer than any client waits
                    "/broken" => return,                // hang up without a word
                    _ => {}
                }
                let body = format!("page {path}");
                let _ = write!(
                    &conn,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            };
        }
    }
    // ANCHOR_END: server

    // ANCHOR: fetch
    /// GET `path` from `addr`, giving up when `ctx` does.
    fn fetch(ctx: &Context, addr: SocketAddr, path: &str) -> io::Result<String> {
        let (ctx, cancel) = context::with_timeout(ctx, ms(200));
        defer!(cancel.cancel());
        let conn = TcpStream::connect(addr)?;
        conn.set_deadline(ctx.deadline());          // the context's deadline, on the socket
        write!(&conn, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut response = String::new();
        (&conn).read_to_string(&mut response)?;
        match response.split_once("\r\n\r\n") {
            Some((head, body)) if head.starts_with("HTTP/1.1 200") => Ok(body.to_string()),
            _ => Err(io::Error::new(io::ErrorKind::InvalidData, "no HTTP response")),
        }
    }
    // ANCHOR_END: fetch

    #[goru::main]
    fn main() {
        let ln = TcpListener::bind("127.0.0.1:0").expect("listen");
        let addr = ln.local_addr().expect("addr");
        go!(serve(ln));

        // ANCHOR: main
        let results: Vec<Receiver<String>> = PATHS
            .iter()
            .map(|&path| {
                let out = chan![String; 1];
                let tx = out.sender();
                go! {
                    let line = match fetch(&context::background(), addr, path) {
                        Ok(body) => format!("{path}: {body}"),
                        Err(e) => format!("{path}: error: {e}"),
                    };
                    tx <- line;
                };
                out.receiver()
            })
            .collect();
        for r in &results {
            println!("{}", (<-r).unwrap());
        }
        // ANCHOR_END: main
    }
}
