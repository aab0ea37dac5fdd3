// Sending on a closed channel panics. Here it happens in the main
// goroutine: main's deferred calls run, then the program exits with
// status 2.
package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	defer fmt.Println("deferred: runs while panicking")
	ch <- 1
	close(ch)
	fmt.Println("received", <-ch)
	v, ok := <-ch
	fmt.Println("after close:", v, ok)
	ch <- 2
	fmt.Println("unreachable")
}
