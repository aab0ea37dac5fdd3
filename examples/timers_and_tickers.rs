//! Timers fire once in the future; tickers fire repeatedly at an interval.
//! Both deliver on a channel (`timer.C`, `ticker.C`), so they combine with
//! `select`, and both can be stopped.
//!
//! Coming from JavaScript: a timer is `setTimeout` and a ticker is
//! `setInterval`, but instead of running a callback they send on a channel
//! that you receive from (or select on); `Stop` is `clearTimeout` /
//! `clearInterval`.
//!
//! ```go
//! func main() {
//!     timer1 := time.NewTimer(2 * time.Millisecond)
//!     <-timer1.C
//!     fmt.Println("Timer 1 fired")
//!
//!     timer2 := time.NewTimer(time.Second)
//!     go func() {
//!         <-timer2.C
//!         fmt.Println("Timer 2 fired")
//!     }()
//!     if timer2.Stop() {
//!         fmt.Println("Timer 2 stopped")
//!     }
//!
//!     ticker := time.NewTicker(2 * time.Millisecond)
//!     for n := 1; n <= 3; n++ {
//!         <-ticker.C
//!         fmt.Println("Tick", n)
//!     }
//!     ticker.Stop()
//!     fmt.Println("Ticker stopped")
//! }
//! ```

use goru::prelude::*;
use std::time::Instant;

goru! {
    #[goru::main]
    fn main() {
        let start = Instant::now();

        // ANCHOR: timer
        let timer1 = time::new_timer(ms(2));
        <-timer1.c;                             // blocks until it fires
        println!("Timer 1 fired");

        let timer2 = time::new_timer(secs(1));
        let c = timer2.c.clone();
        go! {
            <-c;                                // never happens: stopped below
            println!("Timer 2 fired");
        };
        if timer2.stop() {                      // true: it had not fired yet
            println!("Timer 2 stopped");
        }
        // ANCHOR_END: timer

        // ANCHOR: ticker
        let ticker = time::new_ticker(ms(2));
        for n in 1..=3 {
            <-ticker.c;
            println!("Tick {n}");
        }
        ticker.stop();                          // no more ticks are sent
        println!("Ticker stopped");
        // ANCHOR_END: ticker

        // ANCHOR: ticker_select
        // The usual shape: a goroutine selects on the ticker and a done
        // channel, and reports how many ticks it saw when told to stop.
        // (How many depends on scheduling, so only the hand-off is printed.)
        let ticker = time::new_ticker(ms(1));   // stopped when dropped, on return
        let done = chan![()];
        let seen = chan![u32];
        let (quit, report) = (done.receiver(), seen.sender());
        go! {
            let mut n = 0;
            loop {
                select! {
                    <-quit => { report <- n; return; }
                    <-ticker.c => { n += 1; }
                }
            }
        };
        time::sleep(ms(5));
        done <- ();
        let ticks = (<-seen).unwrap();          // about 5, depending on scheduling
        println!("ticker goroutine stopped: {}", ticks < u32::MAX);
        // ANCHOR_END: ticker_select

        println!("took at least 8ms: {}", time::since(start) >= ms(8));
    }
}
