//! `sync.WaitGroup` waits for a set of goroutines: `Add` before starting
//! each one, `Done` when it finishes (usually deferred), `Wait` until the
//! count is back to zero.
//!
//! Coming from JavaScript: this is `await Promise.all(urls.map(fetch))`:
//! start every fetch at once, continue when all have finished. Each
//! goroutine writes its own slot of `results`, so order is kept.
//!
//! ```go
//! func fetch(url string) string {
//!     time.Sleep(time.Duration(len(url)) * time.Millisecond)
//!     return fmt.Sprintf("%s: %d bytes", url, 100*len(url))
//! }
//!
//! func main() {
//!     urls := []string{"a.example", "bb.example", "ccc.example"}
//!     results := make([]string, len(urls))
//!     var wg sync.WaitGroup
//!     for i, url := range urls {
//!         wg.Add(1)
//!         go func() {
//!             defer wg.Done()
//!             results[i] = fetch(url)
//!         }()
//!     }
//!     wg.Wait()
//!     for _, r := range results {
//!         fmt.Println(r)
//!     }
//! }
//! ```

use goru::prelude::*;
use std::sync::Arc;

goru! {
    // ANCHOR: fetch
    /// Stands in for a network call: takes a few milliseconds.
    fn fetch(url: &str) -> String {
        time::sleep(ms(url.len() as u64 / 4));
        format!("{url}: {} bytes", 100 * url.len())
    }
    // ANCHOR_END: fetch

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let urls = ["a.example", "bb.example", "ccc.example"];
        let results = Arc::new(sync::Mutex::new(vec![String::new(); urls.len()]));
        let wg = WaitGroup::new();              // var wg sync.WaitGroup
        for (i, url) in urls.into_iter().enumerate() {
            wg.add(1);                          // before the goroutine starts
            let (wg, results) = (wg.clone(), results.clone());
            go! {
                defer! { wg.done(); }           // even if fetch panics
                let body = fetch(url);
                results.lock()[i] = body;       // each goroutine owns slot i
            };
        }
        wg.wait();                              // Promise.all: all three done
        for r in results.lock().iter() {
            println!("{r}");
        }
    }
    // ANCHOR_END: main
}
