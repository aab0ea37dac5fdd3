//! An API client shared by many goroutines, whose every call first takes a
//! token from one shared `rate::Limiter`: however many goroutines call it,
//! the server sees at most the burst at once and then the steady rate.
//! The responses are collected and printed in request order.
//!
//! Coming from JavaScript: like wrapping `fetch` in a throttle (p-throttle,
//! bottleneck) and firing the calls with `Promise.all`.
//!
//! ```go
//! type Client struct{ limiter *rate.Limiter }
//!
//! func (c *Client) Get(ctx context.Context, id int) (string, error) {
//!     if err := c.limiter.Wait(ctx); err != nil {
//!         return "", err
//!     }
//!     time.Sleep(time.Millisecond)                // the request itself
//!     return fmt.Sprintf("item %d", id), nil
//! }
//!
//! func main() {
//!     client := &Client{limiter: rate.NewLimiter(rate.Every(5*time.Millisecond), 2)}
//!     results := make([]string, 12)
//!     var wg sync.WaitGroup
//!     for i := range results {
//!         wg.Add(1)
//!         go func() {
//!             defer wg.Done()
//!             results[i], _ = client.Get(context.Background(), i)
//!         }()
//!     }
//!     wg.Wait()
//! }
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use goru::context::{Context, ContextError};
use goru::prelude::*;
use goru::rate::{self, Limiter};

// ANCHOR: client
#[derive(Clone)]
struct Client {
    limiter: Arc<Limiter>, // shared by every clone
    calls: Arc<AtomicU32>,
}

impl Client {
    fn new(interval: std::time::Duration, burst: u32) -> Self {
        Client {
            limiter: Arc::new(Limiter::new(rate::every(interval), burst)),
            calls: Arc::new(AtomicU32::new(0)),
        }
    }

    fn get(&self, ctx: &Context, id: u32) -> Result<String, ContextError> {
        self.limiter.wait_ctx(ctx)?; // lim.Wait(ctx)
        self.calls.fetch_add(1, Ordering::SeqCst);
        goru::time::sleep(ms(1)); // the simulated request
        Ok(format!("item {id}"))
    }
}
// ANCHOR_END: client

goru! {
    // ANCHOR: main
    #[goru::main]
    fn main() {
        const N: u32 = 12;
        let start = Instant::now();
        // One call per 5 ms on average, 2 at once at most.
        let client = Client::new(ms(5), 2);
        let ctx = context::background();
        let results: Vec<Chan<String>> = (0..N).map(|_| chan![String; 1]).collect();
        for (id, slot) in (0..).zip(&results) {
            let (client, ctx, slot) = (client.clone(), ctx.clone(), slot.clone());
            go! {
                let reply = client.get(&ctx, id).unwrap_or_else(|e| e.to_string());
                slot <- reply;
            };
        }
        for (id, slot) in results.iter().enumerate() {
            println!("request {id:2}: {}", (<-slot).unwrap());
        }
        println!("calls made: {}", client.calls.load(Ordering::SeqCst));
        // 12 calls, 2 from the burst, 10 more 5 ms apart: at least ~50 ms.
        println!("took >= 45ms: {}", start.elapsed() >= ms(45));
    }
    // ANCHOR_END: main
}
