// Go by Example "Channel Directions": send-only and receive-only
// parameters, then the same functions run as goroutines.
package main

import "fmt"

func ping(pings chan<- string, msg string) {
	pings <- msg
}

func pong(pings <-chan string, pongs chan<- string) {
	msg := <-pings
	pongs <- msg
}

func main() {
	pings := make(chan string, 1)
	pongs := make(chan string, 1)
	ping(pings, "passed message")
	pong(pings, pongs)
	fmt.Println(<-pongs)

	p := make(chan string)
	q := make(chan string)
	go pong(p, q)
	go ping(p, "passed between goroutines")
	fmt.Println(<-q)
}
