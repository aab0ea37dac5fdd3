//! A cache read by many goroutines and updated by one, behind a `RwMutex`:
//! readers share the lock (any number at once), the writer takes it alone.
//! The writer changes two entries under one write lock, so no reader ever
//! sees one updated without the other, and versions only go forward.
//!
//! ```go
//! type Cache struct {
//!     mu sync.RWMutex
//!     m  map[string]int
//! }
//!
//! func (c *Cache) Get(k string) int {
//!     c.mu.RLock()
//!     defer c.mu.RUnlock()
//!     return c.m[k]
//! }
//!
//! func (c *Cache) SetPair(a, b string, v int) {
//!     c.mu.Lock()
//!     defer c.mu.Unlock()
//!     c.m[a], c.m[b] = v, v
//! }
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use goru::prelude::*;
use goru::sync::RwMutex;

// ANCHOR: cache
#[derive(Default)]
struct Cache {
    map: RwMutex<HashMap<String, u32>>, // the lock owns the map
}

impl Cache {
    /// Both entries, read under one read lock (RLock / RUnlock).
    fn get_pair(&self, a: &str, b: &str) -> (u32, u32) {
        let m = self.map.read(); // shared with other readers
        (
            m.get(a).copied().unwrap_or(0),
            m.get(b).copied().unwrap_or(0),
        )
    }

    /// Both entries, written under one write lock (Lock / Unlock).
    fn set_pair(&self, a: &str, b: &str, v: u32) {
        let mut m = self.map.write(); // alone: readers wait
        m.insert(a.to_string(), v);
        m.insert(b.to_string(), v);
    } // unlocked here
}
// ANCHOR_END: cache

goru! {
    // ANCHOR: reader
    fn reader(id: u32, cache: Arc<Cache>, report: Sender<String>) {
        let mut last = 0;
        let mut consistent = true;
        for _ in 0..20 {
            let (a, b) = cache.get_pair("avatar", "banner");
            consistent &= a == b && a >= last;      // same version, never older
            last = a;
            time::sleep(ms(1));
        }
        report <- format!("reader {id}: 20 reads, consistent: {consistent}");
    }
    // ANCHOR_END: reader

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let cache = Arc::new(Cache::default());
        let reports: Vec<Chan<String>> = (0..4).map(|_| chan![String; 1]).collect();
        for (id, report) in (1..).zip(&reports) {
            go!(reader(id, cache.clone(), report.sender()));
        }
        let writer_done = chan![()];
        let (w, done) = (cache.clone(), writer_done.clone());
        go! {
            for version in 1..=5 {
                w.set_pair("avatar", "banner", version);
                time::sleep(ms(3));
            }
            done <- ();
        };
        for report in &reports {
            println!("{}", (<-report).unwrap());
        }
        <-writer_done;
        println!("final: {:?}", cache.get_pair("avatar", "banner"));
    }
    // ANCHOR_END: main
}
