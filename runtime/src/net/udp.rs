//! UDP: a socket in non-blocking mode whose waits park on the poller.

use std::fmt::{self, Display};
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Instant;

use super::{each_addr, resolve};
use crate::sched::netpoll::{Dir, PollDesc};

/// A UDP socket (Go's `net.PacketConn` from `net.ListenPacket("udp",
/// addr)`, or a `*net.UDPConn`). Receives park the calling goroutine until
/// a datagram arrives.
///
/// ```
/// use goru::net::UdpSocket;
///
/// goru::run(|| {
///     let a = UdpSocket::bind("127.0.0.1:0").unwrap();
///     let b = UdpSocket::bind("127.0.0.1:0").unwrap();
///     let to = b.local_addr().unwrap();
///     goru::go(move || {
///         a.send_to(b"ping", to).unwrap();
///     });
///     let mut buf = [0; 16];
///     let (n, _from) = b.recv_from(&mut buf).unwrap();
///     assert_eq!(&buf[..n], b"ping");
/// });
/// ```
pub struct UdpSocket {
    // Before `sock`: the poller forgets the fd before it is closed.
    pd: Arc<PollDesc>,
    sock: std::net::UdpSocket,
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("addr", &self.sock.local_addr().ok())
            .finish()
    }
}

impl UdpSocket {
    /// Binds to `addr` (port 0 picks a free port).
    pub fn bind(addr: impl Display) -> io::Result<UdpSocket> {
        let sock = each_addr(resolve(addr)?, std::net::UdpSocket::bind)?;
        sock.set_nonblocking(true)?;
        let pd = PollDesc::new(sock.as_raw_fd());
        Ok(UdpSocket { pd, sock })
    }

    /// Sends a datagram to `addr`; returns the bytes sent.
    #[track_caller]
    pub fn send_to(&self, buf: &[u8], addr: impl Display) -> io::Result<usize> {
        let addrs = resolve(addr)?;
        each_addr(addrs, |a| {
            self.pd.io(Dir::Write, || self.sock.send_to(buf, a))
        })
    }

    /// Waits for a datagram; returns its length and sender.
    #[track_caller]
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.pd.io(Dir::Read, || self.sock.recv_from(buf))
    }

    /// Sets the only peer `send` and `recv` talk to (Go: `net.DialUDP`).
    pub fn connect(&self, addr: impl Display) -> io::Result<()> {
        each_addr(resolve(addr)?, |a| self.sock.connect(a))
    }

    /// Sends to the connected peer.
    #[track_caller]
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.pd.io(Dir::Write, || self.sock.send(buf))
    }

    /// Waits for a datagram from the connected peer.
    #[track_caller]
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.pd.io(Dir::Read, || self.sock.recv(buf))
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock.peer_addr()
    }

    /// A deadline for receives (Go: `SetReadDeadline`); `None` clears it.
    pub fn set_read_deadline(&self, deadline: Option<Instant>) {
        self.pd.set_deadline(Dir::Read, deadline);
    }

    /// A deadline for sends (Go: `SetWriteDeadline`).
    pub fn set_write_deadline(&self, deadline: Option<Instant>) {
        self.pd.set_deadline(Dir::Write, deadline);
    }
}
