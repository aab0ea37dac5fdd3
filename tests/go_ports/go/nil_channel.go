// A nil channel is never ready: select skips it, and a plain receive blocks
// forever. With nothing else to run, Go reports a deadlock and names the
// nil channel.
package main

import "fmt"

func main() {
	var ch chan int // nil
	select {
	case v := <-ch:
		fmt.Println("unreachable", v)
	default:
		fmt.Println("a nil channel is never ready")
	}
	fmt.Println("receiving from a nil channel")
	<-ch
}
