// Go by Example "Channel Synchronization": wait for a goroutine with a done
// channel; then a close as a broadcast that starts several goroutines at
// once, and a done channel counted down per worker.
package main

import (
	"fmt"
	"time"
)

func worker(done chan bool) {
	fmt.Print("working...")
	time.Sleep(100 * time.Millisecond)
	fmt.Println("done")

	done <- true
}

func main() {
	done := make(chan bool, 1)
	go worker(done)
	<-done

	start := make(chan struct{})
	finished := make(chan int, 3)
	for i := 1; i <= 3; i++ {
		go func(id int) {
			<-start // blocks until start is closed
			finished <- id * 10
		}(i)
	}
	close(start) // broadcast: every receiver proceeds
	total := 0
	for i := 0; i < 3; i++ {
		total += <-finished
	}
	fmt.Println("total", total)
}
