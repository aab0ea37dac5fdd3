use goru::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

goru! {
    fn producer(out: Sender<i32>, n: i32) {
        defer!(out.close());
        for i in 0..n {
            out <- i;
        }
    }

    fn sum(rx: Receiver<i32>) -> i32 {
        let mut total = 0;
        while let Some(v) = <-rx {
            total += v;
        }
        total
    }

    fn safe_div(a: i32, b: i32) -> i32 {
        defer! {
            if let Some(r) = recover() {
                println!("recovered: {r}");
            }
        }
        a / b
    }

    fn to_result(fail: bool) -> Result<i32, String> {
        defer! {
            if let Some(r) = recover() {
                return Err(format!("caught: {r}"));
            }
        }
        if fail { panic!("boom"); }
        Ok(1)
    }

    fn loop_defers(log: Arc<std::sync::Mutex<Vec<i32>>>) {
        for i in 0..3 {
            let log = log.clone();
            defer! { log.lock().unwrap().push(i); }
        }
        log.lock().unwrap().push(100);
    }

    #[goru::test]
    fn basic_ops() {
        let ch = chan![i32];
        go!(producer(ch.sender(), 10));
        assert_eq!(sum(ch.receiver()), 45);
        println!("{:?}", 1);
        let b = chan![; 3];
        b <- "x";
        println!("{:?}", <-b);
        let a = 1; let c = 2;
        assert!(a < -c || a > 0);
    }

    #[goru::test]
    fn select_works() {
        let a = chan![i32; 1];
        let b = chan![i32; 1];
        let hits = Arc::new(AtomicUsize::new(0));
        a <- 1;
        for _ in 0..2 {
            select! {
                v = <-a => { assert_eq!(v, Some(1)); hits.fetch_add(1, Ordering::SeqCst); }
                b <- 5 => { hits.fetch_add(1, Ordering::SeqCst); }
            }
        }
        assert_eq!(hits.load(Ordering::SeqCst), 2);
        select! {
            <-time::after(ms(5)) => { println!("timeout"); }
        }
        let mut n = 0;
        loop {
            select! {
                v = <-b => { assert_eq!(v, Some(5)); n += 1; }
                default => { break; }
            }
        }
        assert_eq!(n, 1);
    }

    #[goru::test]
    fn defer_recover() {
        assert_eq!(safe_div(1, 0), 0);
        assert_eq!(to_result(true), Err("caught: boom".to_string()));
        assert_eq!(to_result(false), Ok(1));
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        loop_defers(log.clone());
        assert_eq!(*log.lock().unwrap(), vec![100, 2, 1, 0]);
    }

    #[goru::test]
    fn go_block_with_defer() {
        let done = chan![()];
        let d = done.clone();
        go! {
            defer!(d.close());
            defer! { if recover().is_some() { println!("goroutine recovered"); } }
            panic!("in goroutine");
        };
        assert_eq!(<-done, None);
    }
}
