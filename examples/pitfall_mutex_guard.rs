//! Pitfall: a missing `Unlock` on an early return. In Go, `mu.Lock()` and
//! `mu.Unlock()` are separate calls, so a `return` between them leaves the
//! mutex locked and the next `Lock` waits forever:
//!
//! ```go
//! func (c *Cache) Get(key string) (string, bool) {
//!     c.mu.Lock()
//!     if v, ok := c.m[key]; ok {
//!         return v, true                     // BUG: still locked
//!     }
//!     c.mu.Unlock()
//!     return "", false
//! }
//! ```
//!
//! Go's fix is `defer c.mu.Unlock()` right after `Lock`. In goru the mutex
//! owns the data and `lock()` returns a guard that unlocks when it goes out
//! of scope, on every return path (and on a panic): the early return below
//! unlocks, and there is no way to reach the data without the lock. To
//! leave a goru mutex locked you have to say so, with `std::mem::forget` on
//! the guard; run with the argument `wrong` to see that end in the
//! deadlock report Go would give.

use std::collections::HashMap;
use std::sync::Arc;

use goru::prelude::*;
use goru::sync::Mutex;

// ANCHOR: right
struct Cache {
    map: Mutex<HashMap<String, String>>,
}

impl Cache {
    fn get(&self, key: &str) -> Option<String> {
        let map = self.map.lock(); // c.mu.Lock()
        if let Some(v) = map.get(key) {
            return Some(v.clone()); // unlocked here...
        }
        None // ...and here
    }
}
// ANCHOR_END: right

// ANCHOR: wrong
impl Cache {
    fn get_forgetting_unlock(&self, key: &str) -> Option<String> {
        let map = self.map.lock();
        if let Some(v) = map.get(key) {
            let v = v.clone();
            std::mem::forget(map); // Go's missing Unlock, on purpose
            return Some(v);
        }
        None
    }
}
// ANCHOR_END: wrong

impl Cache {
    fn set(&self, key: &str, value: &str) {
        self.map.lock().insert(key.to_string(), value.to_string());
    }
}

goru! {
    #[goru::main]
    fn main() {
        let wrong = std::env::args().nth(1).as_deref() == Some("wrong");
        let cache = Arc::new(Cache { map: Mutex::new(HashMap::new()) });
        cache.set("gopher", "blue");
        let results: Vec<Chan<String>> = (0..4).map(|_| chan![String; 1]).collect();
        for (i, out) in results.iter().enumerate() {
            let (cache, out) = (cache.clone(), out.sender());
            go! {
                let key = if i % 2 == 0 { "gopher" } else { "ferris" };
                let value = if wrong {
                    cache.get_forgetting_unlock(key)
                } else {
                    cache.get(key)                  // hits return early, misses fall through
                };
                out <- format!("get({key}) = {value:?}");
            };
        }
        for out in &results {
            println!("{}", (<-out).unwrap());
        }
        cache.set("ferris", "orange");              // the lock is free again
        println!("get(ferris) = {:?}", cache.get("ferris"));
    }
}
