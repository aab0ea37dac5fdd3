//! What TCP and Unix streams share: a non-blocking socket with its poll
//! descriptor, and turns for readers and writers (two reads at once take
//! turns, as Go's fdMutex makes them; a read and a write run at once).

use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Instant;

use crate::sched::netpoll::{Dir, PollDesc};
use crate::sync::Mutex;

pub(super) struct Conn<S> {
    // Before `sock`: fields drop in order, and the poller must forget the
    // fd before it is closed (and its number reused).
    pd: Arc<PollDesc>,
    pub(super) sock: S,
    reading: Mutex<()>,
    writing: Mutex<()>,
}

impl<S: AsRawFd> Conn<S> {
    /// Wraps a socket already in non-blocking mode.
    pub(super) fn new(sock: S) -> Arc<Conn<S>> {
        Arc::new(Conn {
            pd: PollDesc::new(sock.as_raw_fd()),
            sock,
            reading: Mutex::new(()),
            writing: Mutex::new(()),
        })
    }

    pub(super) fn pd(&self) -> &Arc<PollDesc> {
        &self.pd
    }

    pub(super) fn set_deadline(&self, dir: Dir, deadline: Option<Instant>) {
        self.pd.set_deadline(dir, deadline);
    }

    #[track_caller]
    pub(super) fn read_some(&self, buf: &mut [u8]) -> io::Result<usize>
    where
        for<'a> &'a S: Read,
    {
        let _turn = self.reading.lock();
        self.pd.io(Dir::Read, || (&self.sock).read(buf))
    }

    #[track_caller]
    pub(super) fn write_some(&self, buf: &[u8]) -> io::Result<usize>
    where
        for<'a> &'a S: Write,
    {
        let _turn = self.writing.lock();
        self.pd.io(Dir::Write, || (&self.sock).write(buf))
    }
}

/// A listening socket: accepts take turns and park on the poller.
pub(super) struct Listener<L> {
    // Before `sock`, as in `Conn`.
    pd: Arc<PollDesc>,
    pub(super) sock: L,
    accepting: Mutex<()>,
}

impl<L: AsRawFd> Listener<L> {
    /// Wraps a listener already in non-blocking mode.
    pub(super) fn new(sock: L) -> Listener<L> {
        Listener {
            pd: PollDesc::new(sock.as_raw_fd()),
            sock,
            accepting: Mutex::new(()),
        }
    }

    /// Runs `accept` on the socket until a connection comes.
    #[track_caller]
    pub(super) fn accept<T>(&self, accept: impl FnMut(&L) -> io::Result<T>) -> io::Result<T> {
        let mut accept = accept;
        let _one = self.accepting.lock();
        self.pd.io(Dir::Read, || accept(&self.sock))
    }

    pub(super) fn set_deadline(&self, deadline: Option<Instant>) {
        self.pd.set_deadline(Dir::Read, deadline);
    }
}

/// `Read` and `Write` for a stream type and for references to it, through
/// its `inner: Arc<Conn<_>>`.
macro_rules! impl_read_write {
    ($stream:ty) => {
        impl std::io::Read for $stream {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.inner.read_some(buf)
            }
        }
        impl std::io::Write for $stream {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.inner.write_some(buf)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        impl std::io::Read for &$stream {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.inner.read_some(buf)
            }
        }
        impl std::io::Write for &$stream {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.inner.write_some(buf)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}
pub(super) use impl_read_write;
