//! Go's `net` package: sockets whose blocking calls park the calling
//! goroutine, not its worker thread, on the runtime's network poller. From a
//! plain OS thread the same calls simply block.
//!
//! | Go | goru |
//! |---|---|
//! | `net.Listen("tcp", addr)` | [`TcpListener::bind`] |
//! | `ln.Accept()` | [`TcpListener::accept`] |
//! | `net.Dial("tcp", addr)` | [`TcpStream::connect`] |
//! | `conn.Read(b)` / `conn.Write(b)` | `std::io::Read` / `std::io::Write` |
//! | `conn.(*net.TCPConn).CloseWrite()` | [`TcpStream::shutdown`] with `Shutdown::Write` |
//! | `conn.SetReadDeadline(t)` | [`TcpStream::set_read_deadline`] |
//! | `net.DialTimeout("tcp", addr, d)` | [`TcpStream::connect_timeout`] |
//! | `net.ListenPacket("udp", addr)` | [`UdpSocket::bind`] |
//! | `net.Listen("unix", path)` | [`UnixListener::bind`] |
//!
//! Addresses are strings as in Go (`"localhost:8080"`, `"127.0.0.1:0"`,
//! `":8080"` for every interface) or anything else that displays as one,
//! such as a `SocketAddr`. Names are resolved on `goru::blocking`'s pool, so
//! a slow resolver does not stall a worker.

mod conn;
mod tcp;
mod udp;
mod unix;

use std::fmt::Display;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};

/// Resolves a Go-style address string. An empty host (`":8080"`) means
/// every interface, as in Go's `net.Listen`.
fn resolve(addr: impl Display) -> io::Result<Vec<SocketAddr>> {
    let mut text = addr.to_string();
    if text.starts_with(':') {
        text.insert_str(0, "0.0.0.0");
    }
    if let Ok(a) = text.parse::<SocketAddr>() {
        return Ok(vec![a]);
    }
    let addrs = crate::blocking(move || text.to_socket_addrs().map(Iterator::collect))?;
    let addrs: Vec<SocketAddr> = addrs;
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "no addresses to connect to",
        ));
    }
    Ok(addrs)
}

/// Tries each address in turn; the last error if none works (Go's dialer
/// does the same for a name with several addresses).
fn each_addr<T>(
    addrs: Vec<SocketAddr>,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for a in addrs {
        match f(a) {
            Ok(t) => return Ok(t),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no addresses")))
}
