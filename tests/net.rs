//! goru::net: sockets that park goroutines on the runtime's poller.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use goru::net::{TcpListener, TcpStream};
use goru::sync::WaitGroup;
use goru::{Builder, Runtime};

fn runtime(workers: usize) -> Runtime {
    Builder::new().workers(workers).build()
}

/// An echo server with a goroutine per connection, and `clients` client
/// goroutines doing `trips` round trips each; every byte is checked.
fn echo(rt: &Runtime, clients: usize, trips: usize, size: usize) {
    rt.block_on(move || {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        goru::go(move || {
            loop {
                let Ok((conn, _)) = ln.accept() else { return };
                goru::go(move || {
                    let mut conn = conn;
                    let mut buf = vec![0u8; size];
                    while conn.read_exact(&mut buf).is_ok() {
                        if conn.write_all(&buf).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        let wg = WaitGroup::new();
        let checked = Arc::new(AtomicUsize::new(0));
        for id in 0..clients {
            wg.add(1);
            let (wg, checked) = (wg.clone(), checked.clone());
            goru::go(move || {
                let mut c = TcpStream::connect(addr).unwrap();
                let (mut out, mut back) = (vec![0u8; size], vec![0u8; size]);
                for t in 0..trips {
                    for (k, b) in out.iter_mut().enumerate() {
                        *b = (id + t + k) as u8;
                    }
                    c.write_all(&out).unwrap();
                    c.read_exact(&mut back).unwrap();
                    assert_eq!(out, back, "client {id} trip {t}");
                    checked.fetch_add(size, Ordering::Relaxed);
                }
                wg.done();
            });
        }
        wg.wait();
        assert_eq!(checked.load(Ordering::Relaxed), clients * trips * size);
    });
}

#[test]
fn echo_server_with_a_thousand_clients() {
    echo(&runtime(2), 1000, 20, 64);
}

#[test]
fn echo_server_on_one_worker() {
    echo(&runtime(1), 100, 50, 64);
}

#[test]
fn a_blocked_reader_does_not_delay_others_on_its_worker() {
    // GOMAXPROCS=1: one goroutine blocks reading a silent connection while
    // 100 others on the same worker exchange data.
    let rt = runtime(1);
    rt.block_on(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let silent = TcpStream::connect(addr).unwrap();
        let (held, _) = ln.accept().unwrap();
        let reader = goru::spawn(move || {
            let mut b = [0u8; 1];
            (&silent).read(&mut b).unwrap()
        });
        echo_pairs(&ln, 100);
        // Now release the blocked reader.
        (&held).write_all(b"x").unwrap();
        assert_eq!(reader.join().unwrap(), 1);
    });
}

fn echo_pairs(ln: &TcpListener, n: usize) {
    let addr = ln.local_addr().unwrap();
    let start = Instant::now();
    let wg = WaitGroup::new();
    for i in 0..n {
        wg.add(1);
        let wg = wg.clone();
        goru::go(move || {
            let mut c = TcpStream::connect(addr).unwrap();
            c.write_all(&[i as u8]).unwrap();
            wg.done();
        });
        let (mut s, _) = ln.accept().unwrap();
        let mut b = [0u8; 1];
        s.read_exact(&mut b).unwrap();
        assert_eq!(b[0], i as u8);
    }
    wg.wait();
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    let rt = runtime(1);
    rt.block_on(|| {
        let port = {
            let ln = TcpListener::bind("127.0.0.1:0").unwrap();
            ln.local_addr().unwrap().port()
        };
        let err = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn half_close_gives_the_reader_eof_and_the_writer_can_still_read() {
    let rt = runtime(2);
    rt.block_on(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let server = goru::spawn(move || {
            let (conn, _) = ln.accept().unwrap();
            let mut got = String::new();
            (&conn).read_to_string(&mut got).unwrap(); // until the client's FIN
            (&conn).write_all(got.to_uppercase().as_bytes()).unwrap();
        });
        let c = TcpStream::connect(addr).unwrap();
        (&c).write_all(b"hello").unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let mut back = String::new();
        (&c).read_to_string(&mut back).unwrap();
        assert_eq!(back, "HELLO");
        server.join().unwrap();
    });
}

#[test]
fn shutdown_wakes_a_reader_of_the_same_stream() {
    let rt = runtime(2);
    rt.block_on(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(ln.local_addr().unwrap()).unwrap();
        let _server_side = ln.accept().unwrap();
        let reader = c.try_clone().unwrap();
        let r = goru::spawn(move || {
            let mut b = [0u8; 8];
            (&reader).read(&mut b).unwrap()
        });
        goru::time::sleep(Duration::from_millis(20));
        c.shutdown(Shutdown::Read).unwrap();
        assert_eq!(r.join().unwrap(), 0, "EOF after shutdown");
    });
}

#[test]
fn bufreader_lines_and_io_copy_work_unchanged() {
    let rt = runtime(2);
    rt.block_on(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        goru::go(move || {
            let (conn, _) = ln.accept().unwrap();
            // Echo everything back until EOF, then close.
            let mut w = conn.try_clone().unwrap();
            std::io::copy(&mut &conn, &mut w).unwrap();
            w.shutdown(Shutdown::Write).unwrap();
        });
        let c = TcpStream::connect(addr).unwrap();
        let lines: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
        for l in &lines {
            writeln!(&c, "{l}").unwrap();
        }
        c.shutdown(Shutdown::Write).unwrap();
        let back: Vec<String> = BufReader::new(&c).lines().map(Result::unwrap).collect();
        assert_eq!(back, lines);
    });
}

#[test]
fn plain_threads_simply_block() {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = ln.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = ln.accept().unwrap();
        let mut b = [0u8; 4];
        s.read_exact(&mut b).unwrap();
        s.write_all(&b).unwrap();
    });
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(b"ping").unwrap();
    let mut b = [0u8; 4];
    c.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"ping");
    server.join().unwrap();
}

#[test]
fn a_server_survives_a_panicking_handler() {
    let rt = runtime(2);
    rt.block_on(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        goru::go(move || {
            loop {
                let Ok((conn, _)) = ln.accept() else { return };
                goru::go(move || {
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let mut b = [0u8; 1];
                        (&conn).read_exact(&mut b).unwrap();
                        if b[0] == b'!' {
                            panic!("bad request");
                        }
                        (&conn).write_all(&b).unwrap();
                    }));
                    drop(r); // recovered: the connection just closes
                });
            }
        });
        for msg in [b'a', b'!', b'b', b'!', b'c'] {
            let mut c = TcpStream::connect(addr).unwrap();
            c.write_all(&[msg]).unwrap();
            let mut back = Vec::new();
            c.read_to_end(&mut back).unwrap();
            if msg == b'!' {
                assert!(back.is_empty());
            } else {
                assert_eq!(back, [msg]);
            }
        }
    });
}

#[test]
fn read_deadline_fires_and_can_be_reset() {
    let rt = runtime(2);
    rt.block_on(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(ln.local_addr().unwrap()).unwrap();
        let (server, _) = ln.accept().unwrap();
        let mut b = [0u8; 1];

        // A deadline in the past fails at once.
        c.set_read_deadline(Some(Instant::now()));
        let e = (&c).read(&mut b).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        assert_eq!(e.to_string(), "i/o timeout");

        // A future one fires while the read waits.
        let start = Instant::now();
        c.set_read_deadline(Some(Instant::now() + Duration::from_millis(50)));
        let e = (&c).read(&mut b).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        assert!(
            start.elapsed() >= Duration::from_millis(45),
            "{:?}",
            start.elapsed()
        );

        // Cleared, reads work again.
        c.set_read_deadline(None);
        (&server).write_all(b"z").unwrap();
        assert_eq!((&c).read(&mut b).unwrap(), 1);

        // Moved into the past while a read waits: that read times out.
        c.set_read_deadline(Some(Instant::now() + Duration::from_secs(60)));
        let c2 = c.try_clone().unwrap();
        let r = goru::spawn(move || (&c2).read(&mut [0u8; 1]).map_err(|e| e.kind()));
        goru::time::sleep(Duration::from_millis(20));
        c.set_read_deadline(Some(Instant::now()));
        assert_eq!(r.join().unwrap(), Err(std::io::ErrorKind::TimedOut));
    });
}

#[test]
fn a_deadline_on_a_plain_thread_times_out_too() {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(ln.local_addr().unwrap()).unwrap();
    let _server = ln.accept().unwrap();
    c.set_read_deadline(Some(Instant::now() + Duration::from_millis(30)));
    let e = (&c).read(&mut [0u8; 1]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
}

#[test]
fn accept_deadline() {
    let rt = runtime(1);
    rt.block_on(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        ln.set_deadline(Some(Instant::now() + Duration::from_millis(30)));
        assert_eq!(
            ln.accept().unwrap_err().kind(),
            std::io::ErrorKind::TimedOut
        );
    });
}

#[test]
fn udp_round_trip() {
    use goru::net::UdpSocket;
    let rt = runtime(2);
    rt.block_on(|| {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        goru::go(move || {
            let mut buf = [0u8; 64];
            for _ in 0..10 {
                let (n, from) = server.recv_from(&mut buf).unwrap();
                let reply: Vec<u8> = buf[..n].iter().rev().copied().collect();
                server.send_to(&reply, from).unwrap();
            }
        });
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        client.connect(addr).unwrap();
        for i in 0..10u8 {
            client.send(&[i, i + 1, i + 2]).unwrap();
            let mut buf = [0u8; 64];
            let n = client.recv(&mut buf).unwrap();
            assert_eq!(&buf[..n], &[i + 2, i + 1, i]);
        }
        client.set_read_deadline(Some(Instant::now() + Duration::from_millis(20)));
        let e = client.recv(&mut [0u8; 8]).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn connect_timeout_gives_up() {
    // A listener that never accepts, with a backlog of 0: once its queue
    // is full the kernel drops further SYNs, so a connect hangs. (An
    // "unroutable" address is no good here: this sandbox's network answers
    // every connect.)
    use std::os::fd::AsRawFd;
    let rt = runtime(1);
    rt.block_on(|| {
        let ln = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        // SAFETY: listen(2) on a socket we own.
        assert_eq!(unsafe { libc::listen(ln.as_raw_fd(), 0) }, 0);
        let addr = ln.local_addr().unwrap();
        let mut held = Vec::new();
        for _ in 0..16 {
            let start = Instant::now();
            match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
                Ok(c) => held.push(c),
                Err(e) => {
                    assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{e}");
                    assert!(start.elapsed() >= Duration::from_millis(90));
                    assert!(start.elapsed() < Duration::from_secs(5));
                    return;
                }
            }
        }
        panic!("16 connects to a full backlog all went through");
    });
}

#[test]
fn busy_workers_still_serve_the_network() {
    // Every worker runs goroutines that keep yielding and never sleep; a
    // goroutine waiting on a socket must still get its data.
    let rt = runtime(1);
    rt.block_on(|| {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        for _ in 0..4 {
            let stop = stop.clone();
            goru::go(move || {
                while !stop.load(Ordering::Relaxed) {
                    goru::runtime::gosched();
                }
            });
        }
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let reader = goru::spawn(move || {
            let (c, _) = ln.accept().unwrap();
            let mut b = [0u8; 3];
            (&c).read_exact(&mut b).unwrap();
            b
        });
        let w = std::thread::spawn(move || {
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            c.write_all(b"abc").unwrap();
            c
        });
        assert_eq!(&reader.join().unwrap(), b"abc");
        stop.store(true, Ordering::Relaxed);
        drop(w.join().unwrap());
    });
}

#[test]
fn unix_sockets_echo_and_time_out() {
    use goru::net::{UnixListener, UnixStream};
    let rt = runtime(2);
    rt.block_on(|| {
        let path = std::env::temp_dir().join(format!("goru-net-test-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let ln = UnixListener::bind(&path).unwrap();
        goru::go(move || {
            while let Ok((conn, _)) = ln.accept() {
                goru::go(move || {
                    let mut w = conn.try_clone().unwrap();
                    let _ = std::io::copy(&mut &conn, &mut w);
                    let _ = conn.shutdown(Shutdown::Write);
                });
            }
        });
        let c = UnixStream::connect(&path).unwrap();
        (&c).write_all(b"over unix").unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let mut back = String::new();
        (&c).read_to_string(&mut back).unwrap();
        assert_eq!(back, "over unix");

        let (a, _b) = UnixStream::pair().unwrap();
        a.set_read_deadline(Some(Instant::now() + Duration::from_millis(20)));
        assert_eq!(
            (&a).read(&mut [0u8; 1]).unwrap_err().kind(),
            std::io::ErrorKind::TimedOut
        );
        std::fs::remove_file(&path).unwrap();
    });
}

#[test]
fn names_resolve_off_the_worker() {
    // "localhost" goes through the resolver, on goru::blocking's pool; the
    // Go-style ":port" listens on every interface.
    let rt = runtime(1);
    rt.block_on(|| {
        let ln = TcpListener::bind(":0").unwrap();
        let port = ln.local_addr().unwrap().port();
        goru::go(move || {
            let (c, _) = ln.accept().unwrap();
            (&c).write_all(b"ok").unwrap();
        });
        let c = TcpStream::connect(format!("localhost:{port}")).unwrap();
        let mut got = String::new();
        (&c).read_to_string(&mut got).unwrap();
        assert_eq!(got, "ok");
        let err = TcpStream::connect("no-such-host.invalid:80").unwrap_err();
        assert_ne!(err.kind(), std::io::ErrorKind::TimedOut);
    });
}
