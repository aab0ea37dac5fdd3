// Go by Example "Timers": one fires, one is stopped before it fires, and
// one is reset.
package main

import (
	"fmt"
	"time"
)

func main() {
	timer1 := time.NewTimer(500 * time.Millisecond)
	<-timer1.C
	fmt.Println("Timer 1 fired")

	timer2 := time.NewTimer(time.Second)
	go func() {
		<-timer2.C
		fmt.Println("Timer 2 fired")
	}()
	stop2 := timer2.Stop()
	if stop2 {
		fmt.Println("Timer 2 stopped")
	}
	time.Sleep(2 * time.Second)

	fmt.Println("Timer 1 stop after firing:", timer1.Stop())

	timer3 := time.NewTimer(time.Hour)
	fmt.Println("Timer 3 reset while active:", timer3.Reset(100*time.Millisecond))
	<-timer3.C
	fmt.Println("Timer 3 fired")
}
