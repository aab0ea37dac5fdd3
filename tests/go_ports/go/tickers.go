// Go by Example "Tickers", counted: a goroutine takes three ticks, then
// main stops the ticker and checks that no further tick arrives.
package main

import (
	"fmt"
	"time"
)

func main() {
	ticker := time.NewTicker(500 * time.Millisecond)
	done := make(chan bool)

	go func() {
		for i := 1; i <= 3; i++ {
			<-ticker.C
			fmt.Println("Tick", i)
		}
		done <- true
	}()

	<-done
	ticker.Stop()
	fmt.Println("Ticker stopped")

	select {
	case <-ticker.C:
		fmt.Println("unexpected tick")
	case <-time.After(1 * time.Second):
		fmt.Println("no tick after Stop")
	}
}
