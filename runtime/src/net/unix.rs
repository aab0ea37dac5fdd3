//! Unix domain stream sockets (Go's `net.Listen("unix", path)` and
//! `net.Dial("unix", path)`), on the same poller as TCP.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::{self as std_unix, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::conn::{Conn, Listener, impl_read_write};
use crate::sched::netpoll::Dir;

/// A Unix socket listener (Go: `net.Listen("unix", path)`).
///
/// ```
/// use goru::net::{UnixListener, UnixStream};
/// use std::io::{Read, Write};
///
/// goru::run(|| {
///     let path = std::env::temp_dir().join(format!("goru-doc-{}.sock", std::process::id()));
///     let _ = std::fs::remove_file(&path);
///     let ln = UnixListener::bind(&path).unwrap();
///     goru::go(move || {
///         let (mut conn, _) = ln.accept().unwrap();
///         conn.write_all(b"hi").unwrap();
///     });
///     let mut c = UnixStream::connect(&path).unwrap();
///     let mut got = String::new();
///     c.read_to_string(&mut got).unwrap();
///     assert_eq!(got, "hi");
///     std::fs::remove_file(&path).unwrap();
/// });
/// ```
pub struct UnixListener {
    inner: Listener<std_unix::UnixListener>,
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("addr", &self.inner.sock.local_addr().ok())
            .finish()
    }
}

impl UnixListener {
    /// Listens on the socket file at `path`.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let sock = std_unix::UnixListener::bind(path)?;
        sock.set_nonblocking(true)?;
        Ok(UnixListener {
            inner: Listener::new(sock),
        })
    }

    /// Waits for a connection.
    #[track_caller]
    pub fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (sock, addr) = self.inner.accept(std_unix::UnixListener::accept)?;
        Ok((UnixStream::from_std(sock)?, addr))
    }

    /// A deadline for `accept`; `None` clears it.
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.inner.set_deadline(deadline);
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.sock.local_addr()
    }
}

/// A Unix socket connection, used like [`TcpStream`](super::TcpStream):
/// `Read`/`Write` (also on `&UnixStream`), deadlines, half-close, clones.
#[derive(Clone)]
pub struct UnixStream {
    inner: Arc<Conn<std_unix::UnixStream>>,
}

impl_read_write!(UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("peer", &self.inner.sock.peer_addr().ok())
            .finish()
    }
}

impl UnixStream {
    fn from_std(sock: std_unix::UnixStream) -> io::Result<UnixStream> {
        sock.set_nonblocking(true)?;
        Ok(UnixStream {
            inner: Conn::new(sock),
        })
    }

    /// Connects to the socket file at `path` (Go: `net.Dial("unix", path)`;
    /// a local connect completes at once or fails).
    pub fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        UnixStream::from_std(std_unix::UnixStream::connect(path)?)
    }

    /// A connected pair (Go: `net.Pipe`, but real sockets).
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std_unix::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Shuts down the reading, writing or both halves.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.sock.shutdown(how)
    }

    /// A deadline for reads; `None` clears it (see
    /// [`TcpStream::set_read_deadline`](super::TcpStream::set_read_deadline)).
    pub fn set_read_deadline(&self, deadline: Option<Instant>) {
        self.inner.set_deadline(Dir::Read, deadline);
    }

    /// A deadline for writes.
    pub fn set_write_deadline(&self, deadline: Option<Instant>) {
        self.inner.set_deadline(Dir::Write, deadline);
    }

    /// Both deadlines at once.
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.set_read_deadline(deadline);
        self.set_write_deadline(deadline);
    }

    /// Another handle to the same connection.
    pub fn try_clone(&self) -> io::Result<UnixStream> {
        Ok(self.clone())
    }
}
