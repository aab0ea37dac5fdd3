// A buffered channel as a counting semaphore: at most two of the six tasks
// run at once. Results come back by index, so the order is fixed.
package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

func main() {
	sem := make(chan struct{}, 2)
	var active, maxActive int32
	results := make([]chan string, 6)
	for i := range results {
		results[i] = make(chan string, 1)
	}
	for i := 0; i < 6; i++ {
		go func(i int) {
			sem <- struct{}{}        // acquire
			defer func() { <-sem }() // release
			n := atomic.AddInt32(&active, 1)
			for {
				m := atomic.LoadInt32(&maxActive)
				if n <= m || atomic.CompareAndSwapInt32(&maxActive, m, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
			atomic.AddInt32(&active, -1)
			results[i] <- fmt.Sprintf("task %d done", i)
		}(i)
	}
	for _, r := range results {
		fmt.Println(<-r)
	}
	fmt.Println("at most 2 at once:", atomic.LoadInt32(&maxActive) <= 2)
}
