//! A scraper fetching several pages at once, each under its own timeout,
//! with every fetch goroutine guarded by `defer!` + `recover()`: a fetch
//! that panics (a parser bug, say) becomes an error for that URL instead of
//! crashing the program. Each fetch reports on its own 1-slot channel, so
//! results print in URL order whatever order the fetches finish in.
//!
//! Coming from JavaScript: `Promise.allSettled(urls.map(u =>
//! fetchWithTimeout(u, 300)))`, where one rejected promise does not stop
//! the others.
//!
//! ```go
//! func fetch(ctx context.Context, url string, out chan<- string) {
//!     defer func() {
//!         if r := recover(); r != nil {
//!             out <- fmt.Sprintf("%s: panic: %v", url, r)
//!         }
//!     }()
//!     ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
//!     defer cancel()
//!     select {
//!     case body := <-download(url):
//!         out <- url + ": " + parse(url, body)   // parse may panic
//!     case <-ctx.Done():
//!         out <- fmt.Sprintf("%s: %v", url, ctx.Err())
//!     }
//! }
//! ```

use goru::context::Context;
use goru::prelude::*;

const URLS: [&str; 5] = [
    "https://example.com/",
    "https://example.com/slow",
    "https://example.com/about",
    "https://example.com/broken",
    "https://example.com/blog",
];

goru! {
    // ANCHOR: download
    /// A simulated HTTP GET: the body arrives on the returned channel.
    fn download(url: &'static str) -> Receiver<String> {
        let body = chan![String; 1];
        let out = body.clone();
        go! {
            let delay = match url {
                u if u.ends_with("/slow") => secs(3600),    // never in time
                u => ms(2 + u.len() as u64 % 5),
            };
            time::sleep(delay);
            out <- format!("<html>{url}</html>");
        };
        body.receiver()
    }
    // ANCHOR_END: download

    // ANCHOR: fetch
    fn fetch(ctx: Context, url: &'static str, out: Sender<String>) {
        defer! {
            if let Some(r) = recover() {            // this fetch failed, not the program
                out <- format!("{url}: panic: {r}");
            }
        }
        let (ctx, cancel) = context::with_timeout(&ctx, ms(300));
        defer!(cancel.cancel());
        select! {
            body = <-download(url) => {
                let title = parse(url, &body.unwrap()); // panics on /broken
                out <- format!("{url}: {title}");
            }
            <-ctx.done() => {
                out <- format!("{url}: {}", ctx.err().unwrap());
            }
        }
    }

    /// A simulated HTML parser with a bug: it panics on one page.
    fn parse(url: &str, body: &str) -> String {
        if url.ends_with("/broken") {
            panic!("malformed HTML in {url}");
        }
        format!("{} bytes", body.len())
    }
    // ANCHOR_END: fetch

    // ANCHOR: main
    #[goru::main]
    fn main() {
        let ctx = context::background();
        let results: Vec<Chan<String>> = URLS.iter().map(|_| chan![String; 1]).collect();
        for (url, out) in URLS.iter().zip(&results) {
            go!(fetch(ctx.clone(), url, out.sender()));
        }
        for out in &results {                       // in URL order
            println!("{}", (<-out).unwrap());
        }
    }
    // ANCHOR_END: main
}
