// Go by Example "Rate Limiting": a time.Tick limiter serves one request per
// tick; a bursty limiter lets three through at once, then one per tick.
// Go by Example prints the times; this prints the order and lower bounds on
// the elapsed time, which hold on any machine.
package main

import (
	"fmt"
	"time"
)

func main() {
	requests := make(chan int, 5)
	for i := 1; i <= 5; i++ {
		requests <- i
	}
	close(requests)

	limiter := time.Tick(200 * time.Millisecond)
	start := time.Now()
	for req := range requests {
		<-limiter
		fmt.Println("request", req)
	}
	fmt.Println("throttled:", time.Since(start) >= 800*time.Millisecond)

	burstyLimiter := make(chan time.Time, 3)
	for i := 0; i < 3; i++ {
		burstyLimiter <- time.Now()
	}
	go func() {
		for t := range time.Tick(200 * time.Millisecond) {
			burstyLimiter <- t
		}
	}()

	burstyRequests := make(chan int, 5)
	for i := 1; i <= 5; i++ {
		burstyRequests <- i
	}
	close(burstyRequests)
	start = time.Now()
	for req := range burstyRequests {
		<-burstyLimiter
		fmt.Println("bursty request", req)
	}
	fmt.Println("throttled after the burst:", time.Since(start) >= 300*time.Millisecond)
}
