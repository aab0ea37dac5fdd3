//! TCP: a listener and a stream over std's sockets in non-blocking mode,
//! waiting on the poller (`sched/netpoll.rs`) when the kernel says
//! "would block".

use std::fmt::{self, Display};
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use super::conn::{Conn, Listener, impl_read_write};
use super::{each_addr, resolve};
use crate::sched::netpoll::Dir;

/// A TCP listener (Go's `net.Listener` from `net.Listen("tcp", addr)`).
///
/// ```
/// use goru::net::{TcpListener, TcpStream};
/// use std::io::{Read, Write};
///
/// goru::run(|| {
///     let ln = TcpListener::bind("127.0.0.1:0").unwrap();
///     let addr = ln.local_addr().unwrap();
///     goru::go(move || {
///         let (mut conn, _) = ln.accept().unwrap();
///         let mut buf = [0; 5];
///         conn.read_exact(&mut buf).unwrap();
///         conn.write_all(&buf).unwrap();
///     });
///     let mut c = TcpStream::connect(addr).unwrap();
///     c.write_all(b"hello").unwrap();
///     let mut back = [0; 5];
///     c.read_exact(&mut back).unwrap();
///     assert_eq!(&back, b"hello");
/// });
/// ```
pub struct TcpListener {
    inner: Listener<std::net::TcpListener>,
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("addr", &self.inner.sock.local_addr().ok())
            .finish()
    }
}

impl TcpListener {
    /// Listens on `addr` (Go: `net.Listen("tcp", addr)`); port 0 picks a
    /// free port (see [`local_addr`](Self::local_addr)).
    pub fn bind(addr: impl Display) -> io::Result<TcpListener> {
        let sock = each_addr(resolve(addr)?, std::net::TcpListener::bind)?;
        sock.set_nonblocking(true)?;
        Ok(TcpListener {
            inner: Listener::new(sock),
        })
    }

    /// Waits for a connection (Go: `ln.Accept()`).
    #[track_caller]
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (sock, addr) = self.inner.accept(std::net::TcpListener::accept)?;
        Ok((TcpStream::from_std(sock)?, addr))
    }

    /// A deadline for `accept` (Go: `(*TCPListener).SetDeadline`); `None`
    /// clears it. Past it, `accept` fails with an `io::ErrorKind::TimedOut`
    /// error saying "i/o timeout".
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.inner.set_deadline(deadline);
    }

    /// The address it listens on (Go: `ln.Addr()`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.sock.local_addr()
    }
}

/// A TCP connection (Go's `net.Conn` from `net.Dial("tcp", addr)` or
/// `Accept`). Reads and writes park the calling goroutine until the socket
/// is ready. Clones made with [`try_clone`](Self::try_clone) share the
/// connection; it closes when the last handle is dropped.
///
/// Implements `std::io::Read` and `Write`, also for `&TcpStream`, so
/// `BufReader`, `BufWriter`, `io::copy` and readers like
/// `serde_json::from_reader` work unchanged. As with Go's `Conn`, a read
/// and a write may run at once from different goroutines; two reads (or two
/// writes) at once take turns.
#[derive(Clone)]
pub struct TcpStream {
    inner: Arc<Conn<std::net::TcpStream>>,
}

impl_read_write!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.inner.sock.local_addr().ok())
            .field("peer", &self.inner.sock.peer_addr().ok())
            .finish()
    }
}

impl TcpStream {
    fn from_std(sock: std::net::TcpStream) -> io::Result<TcpStream> {
        sock.set_nonblocking(true)?;
        Ok(TcpStream {
            inner: Conn::new(sock),
        })
    }

    /// Connects to `addr` (Go: `net.Dial("tcp", addr)`), trying each
    /// address a name resolves to.
    #[track_caller]
    pub fn connect(addr: impl Display) -> io::Result<TcpStream> {
        each_addr(resolve(addr)?, |a| connect_one(a, None))
    }

    /// Connects to one address, giving up after `timeout` with an
    /// `io::ErrorKind::TimedOut` error (Go: `net.DialTimeout`).
    #[track_caller]
    pub fn connect_timeout(
        addr: &SocketAddr,
        timeout: std::time::Duration,
    ) -> io::Result<TcpStream> {
        connect_one(*addr, Some(Instant::now() + timeout))
    }

    /// Shuts down the reading, writing or both halves (Go's `CloseRead` /
    /// `CloseWrite`). A goroutine blocked reading this stream wakes with
    /// end-of-file.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.sock.shutdown(how)
    }

    /// A deadline for reads (Go: `SetReadDeadline`); `None` clears it.
    /// Past it, reads fail with an `io::ErrorKind::TimedOut` error saying
    /// "i/o timeout", as Go's do; a read already waiting sees the change at
    /// once, and a later deadline makes reads work again.
    pub fn set_read_deadline(&self, deadline: Option<Instant>) {
        self.inner.set_deadline(Dir::Read, deadline);
    }

    /// A deadline for writes (Go: `SetWriteDeadline`), as for reads.
    pub fn set_write_deadline(&self, deadline: Option<Instant>) {
        self.inner.set_deadline(Dir::Write, deadline);
    }

    /// Both deadlines at once (Go: `SetDeadline`).
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.set_read_deadline(deadline);
        self.set_write_deadline(deadline);
    }

    /// Go's `SetNoDelay`.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.sock.set_nodelay(nodelay)
    }

    /// The remote address (Go: `conn.RemoteAddr()`).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.sock.peer_addr()
    }

    /// The local address (Go: `conn.LocalAddr()`).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.sock.local_addr()
    }

    /// Another handle to the same connection (for a reader goroutine and a
    /// writer goroutine). Never fails; returns `io::Result` as std's does.
    pub fn try_clone(&self) -> io::Result<TcpStream> {
        Ok(self.clone())
    }
}

/// A non-blocking connect: start it, wait for writability, then read the
/// outcome from SO_ERROR.
fn connect_one(addr: SocketAddr, deadline: Option<Instant>) -> io::Result<TcpStream> {
    let domain = match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    };
    // SAFETY: plain socket(2) call; the fd is owned by the TcpStream below.
    let fd = unsafe {
        libc::socket(
            domain,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh socket we own; the std stream closes it.
    let sock = unsafe { <std::net::TcpStream as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let (storage, len) = sockaddr(addr);
    // SAFETY: `storage` holds a valid sockaddr of `len` bytes.
    let r = unsafe { libc::connect(fd, (&raw const storage).cast(), len) };
    let stream = TcpStream::from_std(sock)?;
    if r == 0 {
        return Ok(stream);
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() != Some(libc::EINPROGRESS) {
        return Err(e);
    }
    stream.inner.set_deadline(Dir::Write, deadline);
    stream
        .inner
        .pd()
        .io(Dir::Write, || match stream.inner.sock.take_error()? {
            Some(e) => Err(e),
            None => match stream.inner.sock.peer_addr() {
                Ok(_) => Ok(()),
                // Not connected yet: a writability edge came before the
                // handshake finished (it cannot, but wait again if so).
                Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {
                    Err(io::ErrorKind::WouldBlock.into())
                }
                Err(e) => Err(e),
            },
        })?;
    stream.inner.set_deadline(Dir::Write, None);
    Ok(stream)
}

/// `addr` as a C sockaddr.
fn sockaddr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero is a valid sockaddr_storage.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large and aligned enough for any
            // sockaddr.
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: as above.
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}
